import type { TestUser } from '../helpers/clients.ts';
import { addExchangeRate, addTransaction, categoryIds } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/** What expense_stats() answers. */
export interface ExpenseStats {
  year: number;
  currency: string;
  months: { month: string; income_minor: number; expense_minor: number; difference_minor: number }[];
  categories: {
    category_id: string | null;
    key: string | null;
    expense_by_month_minor: number[];
    income_by_month_minor: number[];
  }[];
  totals: { income_minor: number; expense_minor: number; difference_minor: number };
}

export interface StatsHousehold {
  owner: TestUser;
  orgId: string;
  /** Category ids by key: groceries, restaurants, food, salary, streaming. */
  ids: Record<string, string>;
}

/**
 * A Swedish household with the first quarter of 2026 booked: two salaries, groceries, a
 * restaurant, Spotify in EUR (at 11.25), an uncategorized kiosk purchase, a budget of 4,000 SEK a
 * month on food; and what must stay out: a purchase of 2025 and one in the trash.
 */
export async function statsHousehold(): Promise<StatsHousehold> {
  const { owner, orgId } = await signUpHousehold('stats');
  const ids = await categoryIds(owner, orgId);
  await owner.client.from('categories').update({ monthly_budget_minor: 400000 }).eq('id', ids.food);
  await addExchangeRate(owner, orgId, 'EUR', '2026-02-01', 11.25);
  const base = { org_id: orgId, currency: 'SEK' } as const;
  await owner.client.from('transactions').insert([
    {
      ...base,
      kind: 'income',
      booked_on: '2026-01-25',
      amount_minor: 3500000,
      category_id: ids.salary,
      counterparty: 'Arbetsgivaren',
    },
    {
      ...base,
      kind: 'income',
      booked_on: '2026-02-25',
      amount_minor: 3500000,
      category_id: ids.salary,
      counterparty: 'Arbetsgivaren',
    },
    {
      ...base,
      kind: 'expense',
      booked_on: '2026-01-05',
      amount_minor: 120000,
      category_id: ids.groceries,
      counterparty: 'ICA Kvantum',
    },
    {
      ...base,
      kind: 'expense',
      booked_on: '2026-01-19',
      amount_minor: 80000,
      category_id: ids.groceries,
      counterparty: 'Coop',
    },
    {
      ...base,
      kind: 'expense',
      booked_on: '2026-02-02',
      amount_minor: 250000,
      category_id: ids.groceries,
      counterparty: 'ICA Kvantum',
    },
    {
      ...base,
      kind: 'expense',
      booked_on: '2026-02-14',
      amount_minor: 65000,
      category_id: ids.restaurants,
      counterparty: 'Pizzeria Napoli',
    },
    {
      org_id: orgId,
      currency: 'EUR',
      kind: 'expense',
      booked_on: '2026-02-03',
      amount_minor: 1399,
      category_id: ids.streaming,
      counterparty: 'Spotify',
    },
    { ...base, kind: 'expense', booked_on: '2026-03-01', amount_minor: 9900, counterparty: 'Kiosken' },
    // Another year and the trash stay out.
    { ...base, kind: 'expense', booked_on: '2025-12-31', amount_minor: 77700, category_id: ids.groceries },
  ]);
  const gone = await addTransaction(owner, {
    ...base,
    kind: 'expense',
    booked_on: '2026-01-07',
    amount_minor: 55500,
    category_id: ids.groceries,
  });
  await owner.client.from('transactions').delete().eq('id', gone.id);
  return { owner, orgId, ids };
}
