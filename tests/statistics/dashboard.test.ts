import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { statsHousehold } from './household.ts';

/**
 * dashboard(): whole months of income and expenses, top vendors, budgets, fixed against variable
 * costs, checked against figures computed by hand.
 */

describe('expense_stats and dashboard', () => {
  let owner: TestUser;
  let orgId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    ({ owner, orgId, ids } = await statsHousehold());
  });

  it('sums whole months for the dashboard: vendors, budgets, fixed against variable', async () => {
    const { data, error } = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-01-10',
      to_date: '2026-02-20',
    });
    expect(error).toBeNull();
    const board = data as Record<string, unknown> & {
      top_vendors: { name: string; expense_minor: number }[];
      budgets: { category_id: string; budget_minor: number; actual_minor: number; remaining_minor: number }[];
    };
    expect(board).toMatchObject({
      from: '2026-01-01',
      to: '2026-02-28',
      months: 2,
      currency: 'SEK',
      income_minor: 7000000,
      expense_minor: 530739,
      difference_minor: 7000000 - 530739,
      fixed_expense_minor: 0,
      variable_expense_minor: 530739,
    });
    // Linking Spotify's payment to its subscription makes it a fixed cost.
    const { data: contract } = await owner.client
      .from('contracts')
      .insert({ org_id: orgId, name: 'Spotify Family', amount_minor: 1399, currency: 'EUR', starts_on: '2025-06-01' })
      .select('id')
      .single();
    await owner.client
      .from('transactions')
      .update({ contract_id: contract?.id })
      .eq('org_id', orgId)
      .eq('counterparty', 'Spotify');
    const fixed = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-01-10',
      to_date: '2026-02-20',
    });
    expect(fixed.data).toMatchObject({
      expense_minor: 530739,
      fixed_expense_minor: 15739,
      variable_expense_minor: 530739 - 15739,
    });
    expect(board.top_vendors.map((v) => [v.name, v.expense_minor])).toEqual([
      ['ICA Kvantum', 370000],
      ['Coop', 80000],
      ['Pizzeria Napoli', 65000],
      ['Spotify', 15739],
    ]);
    // Food's budget covers its subcategories: 2 months × 4,000 SEK against groceries + restaurants.
    expect(board.budgets).toEqual([
      expect.objectContaining({
        category_id: ids.food,
        budget_minor: 800000,
        actual_minor: 515000,
        remaining_minor: 285000,
      }),
    ]);
  });
});
