import type { ContractInput } from './inputs.ts';

/**
 * Calendar arithmetic on ISO dates, in UTC so no time zone moves a day. Months are 'YYYY-MM'.
 */

const DAY_MS = 86_400_000;

export function toDay(iso: string): number {
  return Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS;
}

export function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

/** 'YYYY-MM' plus `count` months (negative goes back). */
export function addMonths(month: string, count: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + count;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The `count` months after `month`. */
export function monthsAfter(month: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(month, i + 1));
}

export function daysInMonth(month: string): number {
  const [year, no] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return new Date(Date.UTC(year, no, 0)).getUTCDate();
}

/** The calendar month number, 1 to 12. */
export function monthNumber(month: string): number {
  return Number(month.slice(5, 7));
}

const monthsPerPeriod: Record<string, number | undefined> = {
  monthly: 1,
  quarterly: 3,
  half_yearly: 6,
  yearly: 12,
};

/**
 * A contract's payment days from `from` to `to` (ISO dates, both included), as the database's
 * `private.next_payment_on` reckons them: weekly every 7 days from the anchor; month-based
 * schedules count each payment from the anchor (the 31st pays on the 30th in April and the 31st
 * again in May); none before the anchor or the start, none after the contract ends.
 */
export function paymentDays(contract: ContractInput, from: string, to: string): string[] {
  const first = Math.max(toDay(from), toDay(contract.anchor_on), toDay(contract.starts_on));
  const last = contract.ends_on ? Math.min(toDay(to), toDay(contract.ends_on)) : toDay(to);
  const days: string[] = [];
  if (first > last) return days;
  const anchor = toDay(contract.anchor_on);
  if (contract.frequency === 'weekly') {
    for (let day = anchor + Math.ceil((first - anchor) / 7) * 7; day <= last; day += 7) days.push(fromDay(day));
    return days;
  }
  const step = contract.frequency === 'every_n_months' ? contract.interval_months : monthsPerPeriod[contract.frequency];
  if (!step || step < 1) return days;
  const anchorMonth = monthOf(contract.anchor_on);
  const anchorDate = Number(contract.anchor_on.slice(8, 10));
  const monthsToFirst =
    (Number(fromDay(first).slice(0, 4)) - Number(anchorMonth.slice(0, 4))) * 12 +
    Number(fromDay(first).slice(5, 7)) -
    Number(anchorMonth.slice(5, 7));
  for (let k = Math.max(0, Math.floor(monthsToFirst / step) - 1); ; k++) {
    const month = addMonths(anchorMonth, k * step);
    const day = toDay(`${month}-${String(Math.min(anchorDate, daysInMonth(month))).padStart(2, '0')}`);
    if (day > last) break;
    if (day >= first) days.push(fromDay(day));
  }
  return days;
}
