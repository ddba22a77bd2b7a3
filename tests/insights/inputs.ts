import type { CategoryHistory, ContractInput, InsightInputs } from '@westwallet/shared/insights';

/** Hand-made inputs for the pure calculations: what insight_inputs would answer. */
export function inputs(months: string[], parts: Partial<InsightInputs> = {}): InsightInputs {
  return {
    as_of: '2026-01-15',
    currency: 'SEK',
    months,
    categories: [],
    vendors: [],
    contracts: [],
    accounts: [],
    recent: [],
    ...parts,
  };
}

/** The months from `first` ('YYYY-MM'), `count` of them. */
export function monthRange(first: string, count: number): string[] {
  const start = Number(first.slice(0, 4)) * 12 + Number(first.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const index = start + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

export function expenseCategory(id: string, expense: number[], parts: Partial<CategoryHistory> = {}): CategoryHistory {
  const zeros = expense.map(() => 0);
  return {
    category_id: id,
    name: id,
    kind: 'expense',
    expense_minor: expense,
    income_minor: zeros,
    fixed_minor: zeros,
    entries: expense.map((e) => (e > 0 ? 1 : 0)),
    ...parts,
  };
}

export function incomeCategory(id: string, income: number[]): CategoryHistory {
  const zeros = income.map(() => 0);
  return {
    category_id: id,
    name: id,
    kind: 'income',
    expense_minor: zeros,
    income_minor: income,
    fixed_minor: zeros,
    entries: zeros,
  };
}

export function contract(id: string, parts: Partial<ContractInput>): ContractInput {
  return {
    contract_id: id,
    name: id,
    category_id: null,
    vendor_id: null,
    amount_minor: 10000,
    currency: 'SEK',
    amount_base_minor: parts.amount_minor ?? 10000,
    frequency: 'monthly',
    interval_months: null,
    anchor_on: '2025-01-01',
    starts_on: '2025-01-01',
    ends_on: null,
    payments: [],
    ...parts,
  };
}

export const repeat = (value: number, count: number): number[] => new Array<number>(count).fill(value);
