import { mean, median } from 'simple-statistics';
import { toDay } from './calendar.ts';
import type { InsightInputs, RecentExpense } from './inputs.ts';
import { ratio, roundMinor, sumMinor } from './numbers.ts';

export type AnomalyKind = 'category_month' | 'vendor_month' | 'duplicate_charge' | 'price_increase' | 'large_payment';

/**
 * Something unusual, with what shows it. `key` is stable: the same finding computed again (today,
 * tomorrow, on another server) has the same key, so it is stored and announced once.
 */
export interface Anomaly {
  key: string;
  kind: AnomalyKind;
  /** The day it concerns ('YYYY-MM-DD'): the payment's, or the month's first day. */
  on: string;
  category_id: string | null;
  vendor_id: string | null;
  contract_id: string | null;
  transaction_ids: string[];
  evidence: Record<string, number | string | null>;
}

/** Iglewicz and Hoaglin's cut-off for the modified z-score. */
export const MODIFIED_Z_LIMIT = 3.5;
/** A month is compared with at most the two years before it, and needs six. */
const HISTORY_MONTHS = 24;
const MIN_HISTORY_MONTHS = 6;
/** The same amount to the same payee from the same account within this many days. */
const DUPLICATE_DAYS = 2;
/** A single payment this many times its category's average payment ... */
const LARGE_PAYMENT_FACTOR = 5;
/** ... that is also this share of a typical month's spending. */
const LARGE_PAYMENT_MONTH_SHARE = 0.1;
const LARGE_PAYMENT_MIN_ENTRIES = 10;

/**
 * The anomalies of the last complete month and of the expenses since its first day:
 * - `category_month`, `vendor_month`: spending whose modified z-score against the months before
 *   (up to 24, at least 6) is above 3.5 either way;
 * - `duplicate_charge`: the same amount in the same currency to the same payee (vendor, else
 *   counterparty) from the same account within 2 days;
 * - `price_increase`: a contract's last payment above the one before it, in the same currency;
 * - `large_payment`: an expense of at least 5 times its category's average payment and at least
 *   10 % of the median month's spending.
 */
export function findAnomalies(inputs: InsightInputs): Anomaly[] {
  return [
    ...seriesAnomalies(inputs, 'category_month'),
    ...seriesAnomalies(inputs, 'vendor_month'),
    ...duplicateCharges(inputs.recent),
    ...priceIncreases(inputs),
    ...largePayments(inputs),
  ];
}

/**
 * The modified z-score (Iglewicz and Hoaglin): 0.6745 (x - median) / MAD. When more than half the
 * months are equal (MAD 0), the mean absolute deviation stands in: (x - median) / (1.253314 MeanAD),
 * as IBM's SPSS does; a history without any spread gives null (no score can be told).
 */
export function modifiedZScore(value: number, history: readonly number[]): number | null {
  if (history.length === 0) return null;
  const center = median(history as number[]);
  const deviations = history.map((h) => Math.abs(h - center));
  const mad = median(deviations);
  if (mad > 0) return (0.6745 * (value - center)) / mad;
  const meanAd = mean(deviations);
  if (meanAd > 0) return (value - center) / (1.253314 * meanAd);
  return null;
}

function seriesAnomalies(inputs: InsightInputs, kind: 'category_month' | 'vendor_month'): Anomaly[] {
  const n = inputs.months.length;
  if (n < MIN_HISTORY_MONTHS + 1) return [];
  const month = inputs.months[n - 1];
  const series =
    kind === 'category_month'
      ? inputs.categories
          .filter((c) => c.kind !== 'income')
          .map((c) => ({ id: c.category_id, name: c.name, values: c.expense_minor }))
      : inputs.vendors.map((v) => ({ id: v.vendor_id, name: v.name, values: v.expense_minor }));
  const found: Anomaly[] = [];
  for (const { id, name, values } of series) {
    const history = values.slice(Math.max(0, n - 1 - HISTORY_MONTHS), n - 1);
    const value = values[n - 1];
    const score = modifiedZScore(value, history);
    if (score === null || Math.abs(score) <= MODIFIED_Z_LIMIT) continue;
    found.push({
      key: `${kind}:${id ?? 'none'}:${month}`,
      kind,
      on: `${month}-01`,
      category_id: kind === 'category_month' ? id : null,
      vendor_id: kind === 'vendor_month' ? id : null,
      contract_id: null,
      transaction_ids: [],
      evidence: {
        name,
        amount_minor: value,
        median_minor: roundMinor(median(history)),
        score: Math.round(score * 100) / 100,
        direction: score > 0 ? 'up' : 'down',
        history_months: history.length,
      },
    });
  }
  return found;
}

/** Who was paid: the vendor, else the counterparty as written (case and spacing aside). */
function payee(expense: RecentExpense): string | null {
  if (expense.vendor_id) return `v:${expense.vendor_id}`;
  const text = expense.counterparty?.trim().toLowerCase().replace(/\s+/g, ' ');
  return text ? `c:${text}` : null;
}

function duplicateCharges(recent: readonly RecentExpense[]): Anomaly[] {
  const groups = new Map<string, RecentExpense[]>();
  for (const expense of recent) {
    const who = payee(expense);
    if (!who) continue;
    const key = [who, expense.account_id ?? '', expense.currency, expense.amount_minor].join('|');
    groups.set(key, [...(groups.get(key) ?? []), expense]);
  }
  const found: Anomaly[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const ordered = [...group].sort(
      (a, b) => a.booked_on.localeCompare(b.booked_on) || a.transaction_id.localeCompare(b.transaction_id),
    );
    for (let i = 1; i < ordered.length; i++) {
      const [first, second] = [ordered[i - 1], ordered[i]];
      const apart = toDay(second.booked_on) - toDay(first.booked_on);
      if (apart > DUPLICATE_DAYS) continue;
      found.push({
        key: `duplicate_charge:${first.transaction_id}:${second.transaction_id}`,
        kind: 'duplicate_charge',
        on: second.booked_on,
        category_id: second.category_id,
        vendor_id: second.vendor_id,
        contract_id: second.contract_id,
        transaction_ids: [first.transaction_id, second.transaction_id],
        evidence: {
          amount_minor: second.amount_minor,
          currency: second.currency,
          counterparty: second.counterparty,
          first_on: first.booked_on,
          second_on: second.booked_on,
          days_apart: apart,
        },
      });
    }
  }
  return found;
}

function priceIncreases(inputs: InsightInputs): Anomaly[] {
  const found: Anomaly[] = [];
  for (const contract of inputs.contracts) {
    const [latest, before] = contract.payments;
    if (!latest || !before || latest.currency !== before.currency || latest.amount_minor <= before.amount_minor) {
      continue;
    }
    found.push({
      key: `price_increase:${contract.contract_id}:${latest.transaction_id}`,
      kind: 'price_increase',
      on: latest.booked_on,
      category_id: contract.category_id,
      vendor_id: contract.vendor_id,
      contract_id: contract.contract_id,
      transaction_ids: [before.transaction_id, latest.transaction_id],
      evidence: {
        name: contract.name,
        currency: latest.currency,
        previous_minor: before.amount_minor,
        previous_on: before.booked_on,
        new_minor: latest.amount_minor,
        increase_minor: latest.amount_minor - before.amount_minor,
        increase_ratio: ratio(latest.amount_minor - before.amount_minor, before.amount_minor),
      },
    });
  }
  return found;
}

function largePayments(inputs: InsightInputs): Anomaly[] {
  const history = inputs.months.length - 1;
  if (history < 3) return [];
  const monthTotals = inputs.months
    .slice(0, history)
    .map((_, i) => sumMinor(inputs.categories.map((c) => c.expense_minor[i])));
  const typicalMonth = median(monthTotals);
  const averages = new Map<string | null, number>();
  for (const c of inputs.categories) {
    const entries = c.entries.slice(0, history).reduce((a, b) => a + b, 0);
    if (entries < LARGE_PAYMENT_MIN_ENTRIES) continue;
    averages.set(c.category_id, sumMinor(c.expense_minor.slice(0, history)) / entries);
  }
  const found: Anomaly[] = [];
  for (const expense of inputs.recent) {
    const average = averages.get(expense.category_id);
    if (!average || average <= 0) continue;
    const amount = expense.base_amount_minor;
    if (amount < LARGE_PAYMENT_FACTOR * average || amount < LARGE_PAYMENT_MONTH_SHARE * typicalMonth) continue;
    found.push({
      key: `large_payment:${expense.transaction_id}`,
      kind: 'large_payment',
      on: expense.booked_on,
      category_id: expense.category_id,
      vendor_id: expense.vendor_id,
      contract_id: expense.contract_id,
      transaction_ids: [expense.transaction_id],
      evidence: {
        amount_minor: amount,
        counterparty: expense.counterparty,
        category_average_minor: roundMinor(average),
        times_average: ratio(amount, average),
        median_month_minor: roundMinor(typicalMonth),
      },
    });
  }
  return found;
}
