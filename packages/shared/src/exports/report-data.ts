import type { Minor } from './money.ts';

/** public.expense_stats(org_id, year), as the Data API answers it. */
export interface ExpenseStats {
  year: number;
  currency: string;
  months: { month: string; income_minor: Minor; expense_minor: Minor; difference_minor: Minor }[];
  categories: {
    category_id: string | null;
    name: string | null;
    kind: 'expense' | 'income' | null;
    parent_id: string | null;
    expense_by_month_minor: Minor[];
    income_by_month_minor: Minor[];
    expense_minor: Minor;
    income_minor: Minor;
  }[];
  totals: { income_minor: Minor; expense_minor: Minor; difference_minor: Minor };
}

/** public.dashboard(org_id, from_date, to_date): the parts the report prints. */
export interface Dashboard {
  from: string;
  to: string;
  currency: string;
  income_minor: Minor;
  expense_minor: Minor;
  difference_minor: Minor;
  by_category: {
    category_id: string | null;
    name: string | null;
    kind: string | null;
    expense_minor: Minor;
    income_minor: Minor;
  }[];
  top_vendors: { vendor_id: string; name: string; expense_minor: Minor }[];
  budgets: { category_id: string; name: string; budget_minor: Minor; actual_minor: Minor; remaining_minor: Minor }[];
}

/** private.export_overview(org_id, within_days). */
export interface Overview {
  organization: {
    id: string;
    name: string;
    kind: string;
    locale: string;
    base_currency: string;
    base_exponent: number;
    today: string;
  };
  budgets: { name: string; kind: string; monthly_budget_minor: Minor }[];
  contracts: {
    reference: string;
    name: string;
    vendor: string | null;
    amount_minor: Minor;
    currency: string;
    exponent: number;
    frequency: string;
    status: string;
    next_payment_on: string | null;
    notice_deadline_on: string | null;
    effective_ends_on: string | null;
    yearly_base_minor: Minor | null;
  }[];
  vehicles: {
    reference: string;
    name: string;
    registration: string | null;
    model_year: number | null;
    fuel: string;
    costs: { kind: string; base_minor: Minor }[];
    total_base_minor: Minor;
  }[];
  warranties: {
    reference: string;
    product: string;
    seller: string | null;
    purchased_on: string;
    ends_on: string | null;
    price_minor: Minor | null;
    currency: string | null;
    exponent: number | null;
  }[];
  insurances: {
    reference: string;
    kind: string;
    name: string | null;
    insurer: string | null;
    policy_number: string | null;
    premium_minor: Minor;
    annual_premium_minor: Minor;
    currency: string;
    exponent: number;
    frequency: string;
    renews_on: string | null;
  }[];
  notice_deadlines: { reference: string; name: string; notice_deadline_on: string; yearly_base_minor: Minor | null }[];
  expiring_warranties: { reference: string; product: string; ends_on: string }[];
}
