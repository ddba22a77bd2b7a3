import { duplicateWindowDays } from './limits.ts';

/**
 * Which statement entries the account already has: a duplicate names the one transaction it
 * repeats, and every transaction is the duplicate of one entry at most, so two identical coffees
 * in a file against one already booked give one duplicate and one new entry (counted, never
 * collapsed), the same file again gives only duplicates, and an overlapping statement adds only
 * the days the account lacks.
 *
 * 1. The bank's reference: an entry whose reference a transaction of the account carries is that
 *    transaction: a duplicate when the amount agrees, a conflict (for the member to decide) when
 *    it does not.
 * 2. Otherwise the same amount on the same day with a similar payee, then the same amount within
 *    `windowDays` days with a similar payee, nearest day first. Two different bank references
 *    never match.
 */

export interface DedupeEntry {
  bookedOn: string;
  /** Signed minor units from the account's side. */
  amountMinor: number;
  counterparty: string | null;
  text: string | null;
  bankReference: string | null;
}

export interface ExistingTransaction {
  id: string;
  bookedOn: string;
  /** Signed minor units from the account's side (what it moved on the account). */
  amountMinor: number;
  counterparty: string | null;
  bankReference: string | null;
}

export type Verdict =
  | { status: 'new'; transactionId: null; reason: null }
  | { status: 'duplicate'; transactionId: string; reason: 'reference' | 'same_day' | 'near_day' }
  | { status: 'conflict'; transactionId: string; reason: 'reference_amount' };

const fresh: Verdict = { status: 'new', transactionId: null, reason: null };

/**
 * The three passes, in this order over all entries: references first, then the same day for
 * every entry (so a near-day match never takes what a same-day one needs), then the window.
 */
export const dedupePasses = ['reference', 'same_day', 'near_day'] as const;
export type DedupePass = (typeof dedupePasses)[number];

/** The match reasons a pass gives. */
export const passReasons: Record<DedupePass, string[]> = {
  reference: ['reference', 'reference_amount'],
  same_day: ['same_day'],
  near_day: ['near_day'],
};

export function classifyEntries(
  entries: DedupeEntry[],
  existing: ExistingTransaction[],
  windowDays = duplicateWindowDays,
): Verdict[] {
  const verdicts: Verdict[] = entries.map(() => fresh);
  const claimed = new Set<string>();
  for (const pass of dedupePasses) classifyPass(pass, entries, existing, claimed, verdicts, windowDays);
  return verdicts;
}

/**
 * One pass over `entries` in file order: each entry still `new` in `verdicts` may take one
 * transaction of `existing` not in `claimed`; both are updated. `classifyEntries` runs the passes
 * over a whole file; the preview runs each over the file a part at a time (its earlier parts'
 * claims in `claimed`, `existing` the transactions the part can reach, in the same order), which
 * gives the same verdicts.
 */
export function classifyPass(
  pass: DedupePass,
  entries: DedupeEntry[],
  existing: ExistingTransaction[],
  claimed: Set<string>,
  verdicts: Verdict[],
  windowDays = duplicateWindowDays,
): void {
  if (pass === 'reference') {
    const byReference = new Map<string, ExistingTransaction>();
    for (const t of existing) if (t.bankReference) byReference.set(t.bankReference, t);
    for (const [i, entry] of entries.entries()) {
      if (verdicts[i].status !== 'new') continue;
      const t = entry.bankReference ? byReference.get(entry.bankReference) : undefined;
      if (!t || claimed.has(t.id)) continue;
      claimed.add(t.id);
      verdicts[i] =
        t.amountMinor === entry.amountMinor
          ? { status: 'duplicate', transactionId: t.id, reason: 'reference' }
          : { status: 'conflict', transactionId: t.id, reason: 'reference_amount' };
    }
    return;
  }
  const window = pass === 'same_day' ? 0 : windowDays;
  const byAmount = new Map<number, { t: ExistingTransaction; day: number; payee: string }[]>();
  for (const t of existing) {
    const candidate = { t, day: dayNumber(t.bookedOn), payee: payeeOf(t.counterparty) };
    const list = byAmount.get(t.amountMinor);
    if (list) list.push(candidate);
    else byAmount.set(t.amountMinor, [candidate]);
  }
  for (const [i, entry] of entries.entries()) {
    if (verdicts[i].status !== 'new') continue;
    const candidates = byAmount.get(entry.amountMinor);
    if (!candidates) continue;
    const day = dayNumber(entry.bookedOn);
    let payee: string | null = null;
    let best: { t: ExistingTransaction; distance: number; similarity: number } | null = null;
    for (const { t, day: tDay, payee: tPayee } of candidates) {
      if (claimed.has(t.id)) continue;
      if (entry.bankReference && t.bankReference && entry.bankReference !== t.bankReference) continue;
      const distance = Math.abs(tDay - day);
      if (distance > window) continue;
      payee ??= payeeOf(entry.counterparty ?? entry.text);
      const similarity = payeeSimilarity(payee, tPayee);
      if (similarity < similarEnough) continue;
      if (!best || distance < best.distance || (distance === best.distance && similarity > best.similarity)) {
        best = { t, distance, similarity };
      }
    }
    if (best) {
      claimed.add(best.t.id);
      verdicts[i] = { status: 'duplicate', transactionId: best.t.id, reason: window === 0 ? 'same_day' : 'near_day' };
    }
  }
}

/** pg_trgm's default threshold: below it, two payees are different shops. */
const similarEnough = 0.3;

/** Lowercase letters and digits, words single-spaced: "ICA NÄRA Kista 1234*" → "ica nära kista 1234". */
export function payeeOf(text: string | null): string {
  return (text ?? '')
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * How alike two payees are, 0 to 1: 1 when either is unknown (a typed transaction without a
 * payee may still be this entry) or one contains the other ("ica" in "ica nära kista");
 * otherwise pg_trgm's similarity (shared trigrams of the padded words over all trigrams).
 */
export function payeeSimilarity(a: string, b: string): number {
  if (a === '' || b === '' || a === b) return 1;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.includes(short)) return 1;
  const ta = trigrams(a);
  const tb = trigrams(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

function trigrams(text: string): Set<string> {
  const set = new Set<string>();
  for (const word of text.split(' ')) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) set.add(padded.slice(i, i + 3));
  }
  return set;
}

function dayNumber(isoDay: string): number {
  return Date.parse(`${isoDay}T00:00:00Z`) / 86_400_000;
}
