/**
 * The structured formats (OFX/QFX, QIF, CAMT.053/.054, MT940) read a part at a time, as a CSV is:
 * each part is a window of about `maxBytes` of the file from a byte offset at an entry's start,
 * and a reader carries from part to part only what it needs (the open elements, the statement's
 * header values, a line count). A file read whole is the same parts with no bound, so the
 * entries, their lines, the problems and the statement come out the same whichever way it is read.
 */
import { problem } from './bank-values.ts';
import type { ParseProblem, ParseResult, Statement, StatementEntry } from './statement.ts';

/** The statement around the entries: all a Statement is but its entries. */
export type StatementHead = Omit<Statement, 'entries'>;

/**
 * Where a reader stands: `offset` is the byte where the next part starts, `carry` the format's
 * own state. JSON, so a job keeps it in its checkpoint.
 */
export interface StructuredPosition {
  offset: number;
  carry: unknown;
}

/** What one part read: its entries and problems (in the order the reader met them). */
export interface StructuredPart {
  entries: StatementEntry[];
  problems: ParseProblem[];
  position: StructuredPosition;
  /** The part ended with the file. */
  done: boolean;
  /** The statement as far as it is known: its first statement's header once read, else null. */
  head: StatementHead | null;
}

/** A refusal of the whole file: the problem that refuses it. */
export interface Refusal {
  refusal: ParseProblem;
}

export interface StructuredOptions {
  /** QIF: the account's currency. */
  currency?: string;
  /** QIF: how to read dates that are valid both ways. */
  dateOrder?: 'MDY' | 'DMY';
}

/**
 * A format's reader in parts: `start` checks the head and answers where the first part starts;
 * `part` reads from a position to an entry's start about `maxBytes` on (further when one entry is
 * longer); `finish`, after the last part, answers the statement around the entries and the
 * problems only the whole file shows (statements of another account, balances that do not add up).
 */
export interface StructuredReader {
  start(bytes: Uint8Array, options: StructuredOptions): StructuredPosition | Refusal;
  part(
    bytes: Uint8Array,
    position: StructuredPosition,
    maxBytes: number,
    options: StructuredOptions,
  ): StructuredPart | Refusal;
  finish(position: StructuredPosition): { statement: StatementHead; problems: ParseProblem[] } | Refusal;
}

/** The file read whole: the parts with no bound, joined. Problems come in `problemOrder`. */
export function readWhole(reader: StructuredReader, bytes: Uint8Array, options: StructuredOptions): ParseResult {
  const refused = (r: Refusal): ParseResult => ({ statement: null, problems: [r.refusal] });
  const started = reader.start(bytes, options);
  if ('refusal' in started) return refused(started);
  const entries: StatementEntry[] = [];
  const problems: ParseProblem[] = [];
  let position = started;
  for (;;) {
    const part = reader.part(bytes, position, Number.POSITIVE_INFINITY, options);
    if ('refusal' in part) return refused(part);
    // One at a time: a part with no bound holds every entry, too many to spread into a call.
    for (const entry of part.entries) entries.push(entry);
    for (const found of part.problems) problems.push(found);
    position = part.position;
    if (part.done) break;
  }
  const ends = reader.finish(position);
  if ('refusal' in ends) return refused(ends);
  problems.push(...ends.problems);
  return { statement: { ...ends.statement, entries }, problems: problems.sort(problemOrder) };
}

/**
 * Problems in line order; on one line, those of the file's reading first, then the statements
 * left out and those that do not add up (known at a statement's end), then the entries in another
 * currency than the account's (known to the import). Sorting a part's problems into those of
 * earlier parts by this order gives the order of the file read whole.
 */
export function problemOrder(a: ParseProblem, b: ParseProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || rank(a.code) - rank(b.code);
}

function rank(code: string): number {
  if (code === 'IMPORT_OTHER_ACCOUNT') return 1;
  if (code === 'IMPORT_STATEMENT_UNBALANCED') return 2;
  if (code === 'IMPORT_CURRENCY_MISMATCH') return 3;
  return 0;
}

/**
 * A file's statements joined as they are read, into the one the import reads: the statements of
 * the first account in file order (an MT940 file of daily pages, a CAMT file of several Stmt, an
 * OFX with two STMTRS), opening balance from the first and closing from the last. Statements of
 * any other account are left out with IMPORT_OTHER_ACCOUNT, since an import goes into one account;
 * each page whose balances do not add up gets IMPORT_STATEMENT_UNBALANCED. JSON, in a carry.
 */
export interface Statements {
  head: StatementHead | null;
  /** The statement being read: where it starts, whether it is the first account's, its sum so far. */
  open: {
    line: number;
    account: string | null;
    currency: string;
    openingBalanceMinor: number | null;
    own: boolean;
    sum: number;
    /** An entry in another currency: the balances cannot be checked. */
    mixed: boolean;
  } | null;
}

export function newStatements(): Statements {
  return { head: null, open: null };
}

/** A statement begins (its header read); answers whether its entries are the import's. */
export function openStatement(statements: Statements, line: number, head: StatementHead): boolean {
  statements.head ??= { ...head, closingBalanceMinor: null, closingOn: null };
  const own = head.account === statements.head.account;
  statements.open = {
    line,
    account: head.account,
    currency: head.currency,
    openingBalanceMinor: head.openingBalanceMinor,
    own,
    sum: head.openingBalanceMinor ?? 0,
    mixed: false,
  };
  return own;
}

/** An entry of the open statement: counted for its balance check. */
export function countEntry(statements: Statements, entry: StatementEntry): void {
  const open = statements.open;
  if (!open) return;
  open.sum += entry.amountMinor;
  if (entry.currency !== open.currency) open.mixed = true;
}

/** The open statement ends with its closing balance; what it shows goes into `problems`. */
export function closeStatement(
  statements: Statements,
  closing: { minor: number | null; on: string | null },
  problems: ParseProblem[],
): void {
  const open = statements.open;
  const head = statements.head;
  statements.open = null;
  if (!open || !head) return;
  if (!open.own) {
    problems.push(
      problem(
        open.line,
        'IMPORT_OTHER_ACCOUNT',
        `statement of account ${open.account ?? '(none)'} left out: this file is read for account ${head.account ?? '(none)'}`,
      ),
    );
    return;
  }
  head.closingBalanceMinor = closing.minor;
  head.closingOn = closing.on;
  if (open.openingBalanceMinor === null || closing.minor === null || open.mixed || open.sum === closing.minor) return;
  problems.push(
    problem(
      open.line,
      'IMPORT_STATEMENT_UNBALANCED',
      `opening balance ${open.openingBalanceMinor} plus entries is ${open.sum}, the closing balance says ${closing.minor} (minor units)`,
    ),
  );
}

/**
 * The end of a part about `maxBytes` from `offset`: the last entry start that `starts` finds in
 * the window's bytes (never the window's first byte), or the file's end if nearer; a window
 * holding no entry start is doubled until it does.
 */
export function partEnd(
  bytes: Uint8Array,
  offset: number,
  maxBytes: number,
  starts: (window: Uint8Array) => number,
): number {
  for (let size = maxBytes; ; size *= 2) {
    if (offset + size >= bytes.length) return bytes.length;
    const found = starts(bytes.subarray(offset, offset + size));
    if (found > 0) return offset + found;
  }
}

/**
 * Where the last line in a window that `starts` (given the window's text, the line's index and
 * the index of the line before it) begins, in bytes from the window's start; 0 if none does after
 * its first byte. A line break is CRLF, CR or LF, as the line-based formats split lines; UTF-16
 * is read by code unit, the rest by byte (their line breaks and markers are ASCII, never part of
 * another character).
 */
export function lastLineStart(
  window: Uint8Array,
  encoding: string,
  starts: (text: string, at: number, previous: number) => boolean,
): number {
  const utf16 = encoding === 'utf-16le' || encoding === 'utf-16be';
  const text = utf16 ? new TextDecoder(encoding, { ignoreBOM: true }).decode(window) : latin1(window);
  let found = 0;
  let previous = 0;
  for (const match of text.matchAll(/\r\n?|\n/g)) {
    const at = match.index + match[0].length;
    // A CR at the window's end may be the first half of a CRLF.
    if (at < text.length && starts(text, at, previous)) found = at;
    previous = at;
  }
  return utf16 ? found * 2 : found;
}

/** Whether `at` lies after an `open` (`<!--`, `<?`) whose `close` comes only after it, or never. */
export function insideMarkup(text: string, at: number, open: string, close: string): boolean {
  const opened = text.lastIndexOf(open, at - 1);
  if (opened < 0) return false;
  const closed = text.indexOf(close, opened + open.length);
  return closed < 0 || closed + close.length > at;
}

/** Bytes as one char each: markup found in it stands at the same offsets as in the bytes. */
export function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

/** Line breaks as XML and the line-based formats count them: CRLF, CR or LF. */
export function countLines(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) count++;
    else if (c === 0x0d) {
      count++;
      if (text.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  return count;
}
