import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { type ExpenseStats, statsHousehold } from './household.ts';

/**
 * expense_stats(): a year per month and category in the base currency, checked against figures
 * computed by hand.
 */

describe('expense_stats and dashboard', () => {
  let owner: TestUser;
  let orgId: string;

  beforeAll(async () => {
    ({ owner, orgId } = await statsHousehold());
  });

  it('gives a year per month and category in the base currency', async () => {
    const { data, error } = await owner.client.rpc('expense_stats', { org_id: orgId, year: 2026 });
    expect(error).toBeNull();
    const stats = data as unknown as ExpenseStats;
    expect(stats.currency).toBe('SEK');
    expect(stats.months).toHaveLength(12);
    // 13.99 EUR × 11.25 = 157.3875 SEK → 15739 öre.
    expect(stats.months.slice(0, 4)).toEqual([
      { month: '2026-01', income_minor: 3500000, expense_minor: 200000, difference_minor: 3300000 },
      {
        month: '2026-02',
        income_minor: 3500000,
        expense_minor: 250000 + 65000 + 15739,
        difference_minor: 3500000 - 330739,
      },
      { month: '2026-03', income_minor: 0, expense_minor: 9900, difference_minor: -9900 },
      { month: '2026-04', income_minor: 0, expense_minor: 0, difference_minor: 0 },
    ]);
    const byKey = new Map(stats.categories.map((c) => [c.key ?? 'uncategorized', c]));
    expect(byKey.get('groceries')?.expense_by_month_minor).toEqual([200000, 250000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(byKey.get('salary')?.income_by_month_minor.slice(0, 3)).toEqual([3500000, 3500000, 0]);
    expect(byKey.get('uncategorized')).toMatchObject({
      category_id: null,
      expense_by_month_minor: [0, 0, 9900, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    expect(stats.totals).toEqual({ income_minor: 7000000, expense_minor: 540639, difference_minor: 7000000 - 540639 });
  });
});
