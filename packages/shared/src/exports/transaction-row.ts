import type { Minor } from './money.ts';

/** One row of private.export_transactions (bigints as strings or numbers, dates as 'YYYY-MM-DD'). */
export interface ExportTransaction {
  id: string;
  reference: string;
  booked_on: string;
  kind: 'expense' | 'income' | 'transfer';
  amount_minor: Minor;
  currency: string;
  currency_exponent: number;
  fx_rate: string | number | null;
  base_amount_minor: Minor;
  base_currency: string;
  base_exponent: number;
  account: string | null;
  to_account: string | null;
  category: string | null;
  vendor: string | null;
  counterparty: string | null;
  description: string | null;
  notes: string | null;
  payment_method: string | null;
  tags: string[];
  splits: { position: number; category: string; amount_minor: Minor; note: string | null }[];
}

/** The keyset of the next page: the last row's date and reference (search_transactions' order). */
export interface TransactionCursor {
  after_booked_on: string;
  after_reference: string;
}

/** The cursor after a page: its last row's, or `previous` for an empty page. */
export function nextCursor(
  rows: readonly ExportTransaction[],
  previous: TransactionCursor | null,
): TransactionCursor | null {
  const last = rows.at(-1);
  return last ? { after_booked_on: last.booked_on, after_reference: last.reference } : previous;
}

/** 'YYYY-MM-DD' from what a driver gives for a date column (a string, or a Date at UTC midnight). */
export function isoDate(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}
