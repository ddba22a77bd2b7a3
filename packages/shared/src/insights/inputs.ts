/**
 * What the insight calculations read: the answer of the `insight_inputs` RPC, built from the
 * precomputed monthly totals (docs/statistics.md), the contracts and the accounts, so its size
 * depends on the organization's categories, vendors, contracts and accounts, never on its number
 * of transactions. Amounts are integer minor units of the organization's base currency unless
 * a field says otherwise; monthly arrays line up with `months`, oldest first.
 */
export interface InsightInputs {
  /** The day the insights are for ('YYYY-MM-DD', today in the organization's time zone). */
  as_of: string;
  /** The base currency. */
  currency: string;
  /** Complete months of history ('YYYY-MM'), oldest first; the last is the month before as_of's. */
  months: string[];
  categories: CategoryHistory[];
  /** The vendors with the most spending over the history (at most a few hundred). */
  vendors: VendorHistory[];
  /** Contracts not ended before as_of's month, with their schedules. */
  contracts: ContractInput[];
  accounts: AccountInput[];
  /** Expenses booked from the first day of the last complete month up to as_of (newest first, capped). */
  recent: RecentExpense[];
}

export type CategoryKind = 'expense' | 'income';

export interface CategoryHistory {
  /** null: uncategorized. */
  category_id: string | null;
  name: string | null;
  kind: CategoryKind | null;
  expense_minor: number[];
  income_minor: number[];
  /** The part of expense_minor paid to contracts (transactions linked to one). */
  fixed_minor: number[];
  /** How many transactions (or split parts) each month. */
  entries: number[];
}

export interface VendorHistory {
  vendor_id: string;
  name: string;
  expense_minor: number[];
}

export type Frequency = 'weekly' | 'monthly' | 'quarterly' | 'half_yearly' | 'yearly' | 'every_n_months';

export interface ContractInput {
  contract_id: string;
  name: string;
  category_id: string | null;
  vendor_id: string | null;
  /** One payment in the contract's own currency. */
  amount_minor: number;
  currency: string;
  /** One payment in the base currency at as_of's rate; null when no rate is known (never guessed). */
  amount_base_minor: number | null;
  frequency: Frequency;
  interval_months: number | null;
  /** The schedule's anchor: first_payment_on, else starts_on. */
  anchor_on: string;
  starts_on: string;
  /** The last day it runs (after notice, cancelled, or a fixed term that does not renew); null: runs on. */
  ends_on: string | null;
  /** Transactions linked to the contract, newest first (at most 12). */
  payments: ContractPayment[];
}

export interface ContractPayment {
  transaction_id: string;
  booked_on: string;
  /** In the transaction's currency. */
  amount_minor: number;
  currency: string;
}

export type AccountKind = 'bank' | 'savings' | 'card' | 'cash' | 'loan';

export interface AccountInput {
  account_id: string;
  name: string;
  kind: AccountKind;
  /** The balance now in the base currency at as_of's rate (negative for what is owed); null: no rate. */
  balance_minor: number | null;
  /** What came in minus what went out each month of `months`, in the base currency at as_of's rate. */
  net_minor: number[];
  /** The same for as_of's month so far. */
  net_current_minor: number;
}

export interface RecentExpense {
  transaction_id: string;
  booked_on: string;
  /** In the transaction's currency; duplicates compare these. */
  amount_minor: number;
  currency: string;
  base_amount_minor: number;
  account_id: string | null;
  vendor_id: string | null;
  counterparty: string | null;
  category_id: string | null;
  contract_id: string | null;
}
