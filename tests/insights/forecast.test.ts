import { forecast, forecastSeries, paymentDays } from '@westwallet/shared/insights';
import { describe, expect, it } from 'vitest';
import { contract, expenseCategory, incomeCategory, inputs, monthRange, repeat } from './inputs.ts';

describe('contract payment days', () => {
  it('pays month-based schedules from the anchor each time, on the last day of shorter months', () => {
    const c = contract('c', { anchor_on: '2026-01-31', starts_on: '2026-01-31' });
    expect(paymentDays(c, '2026-02-01', '2026-05-31')).toEqual([
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
    ]);
  });

  it('pays weekly every seventh day from the anchor and nothing after the end', () => {
    const c = contract('w', {
      frequency: 'weekly',
      anchor_on: '2026-01-01',
      starts_on: '2026-01-01',
      ends_on: '2026-02-20',
    });
    expect(paymentDays(c, '2026-02-01', '2026-02-28')).toEqual(['2026-02-05', '2026-02-12', '2026-02-19']);
  });

  it('pays every n months and quarterly from the anchor', () => {
    const every = contract('n', { frequency: 'every_n_months', interval_months: 5, anchor_on: '2025-03-10' });
    expect(paymentDays(every, '2025-01-01', '2026-06-30')).toEqual([
      '2025-03-10',
      '2025-08-10',
      '2026-01-10',
      '2026-06-10',
    ]);
    const quarterly = contract('q', { frequency: 'quarterly', anchor_on: '2025-11-15', starts_on: '2025-11-15' });
    expect(paymentDays(quarterly, '2025-01-01', '2026-05-31')).toEqual(['2025-11-15', '2026-02-15', '2026-05-15']);
  });
});

describe('a series forecast', () => {
  it('without a year of history: the mean, and a range from the 10th to the 90th percentile of the errors', () => {
    // Mean 2000; errors -1000, 0, 1000: R-7 percentiles -800 and +800.
    const [next] = forecastSeries([1000, 2000, 3000], ['2025-10', '2025-11', '2025-12'], ['2026-01'], true);
    expect(next).toEqual({ month: '2026-01', point_minor: 2000, low_minor: 1200, high_minor: 2800 });
  });

  it('forecasts nothing, with no range, from a history of zeros', () => {
    expect(forecastSeries([0, 0], ['2025-11', '2025-12'], ['2026-01'], true)).toEqual([
      { month: '2026-01', point_minor: 0, low_minor: 0, high_minor: 0 },
    ]);
  });
});

describe('the forecast', () => {
  // Two years of groceries: 100.00 a month and 200.00 in December, then 120.00 and 240.00.
  // Level (last 12 months' mean) 130.00; overall mean 119.1667; offsets: Jan-Nov -9.1667, Dec
  // +100.8333. Fitted: 120.8333 (Jan-Nov), 230.8333 (Dec). Errors: -20.8333 x11, -30.8333,
  // -0.8333 x11, +9.1667; R-7 10th percentile -20.8333, 90th -0.8333.
  const months = monthRange('2024-01', 24);
  const groceries = [...repeat(10000, 11), 20000, ...repeat(12000, 11), 24000];
  const data = inputs(months, {
    as_of: '2026-01-15',
    categories: [expenseCategory('groceries', groceries), incomeCategory('salary', repeat(3000000, 24))],
    contracts: [
      contract('streaming', {
        category_id: 'streaming',
        amount_minor: 9900,
        anchor_on: '2025-06-30',
        starts_on: '2025-06-30',
      }),
      contract('insurance', {
        category_id: 'insurance',
        amount_minor: 30000,
        frequency: 'quarterly',
        anchor_on: '2025-11-15',
        starts_on: '2025-11-15',
        ends_on: '2026-09-30',
      }),
      contract('abroad', { category_id: 'insurance', amount_minor: 500, currency: 'EUR', amount_base_minor: null }),
    ],
  });
  const result = forecast(data, 12);

  it('forecasts each category from its seasonal history with a range', () => {
    const g = result.categories.find((c) => c.category_id === 'groceries');
    expect(result.months[0]).toBe('2026-02');
    expect(g?.expense[0]).toEqual({ month: '2026-02', point_minor: 12083, low_minor: 10000, high_minor: 12083 });
    expect(g?.expense[10]).toEqual({ month: '2026-12', point_minor: 23083, low_minor: 21000, high_minor: 23083 });
    expect(result.categories.find((c) => c.category_id === 'salary')?.income[0].point_minor).toBe(3000000);
  });

  it('adds contracts exactly on their schedules, to the end, and leaves out those without a rate', () => {
    const insurance = result.categories.find((c) => c.category_id === 'insurance');
    expect(insurance?.contracts_minor).toEqual([30000, 0, 0, 30000, 0, 0, 30000, 0, 0, 0, 0, 0]);
    expect(insurance?.expense[3]).toEqual({
      month: '2026-05',
      point_minor: 30000,
      low_minor: 30000,
      high_minor: 30000,
    });
    expect(result.categories.find((c) => c.category_id === 'streaming')?.contracts_minor).toEqual(repeat(9900, 12));
    expect(result.unconverted_contract_ids).toEqual(['abroad']);
  });

  it('gives totals whose ranges come from the totals own history', () => {
    // Expenses: groceries' forecast plus 99.00 + 300.00 of contracts in February.
    expect(result.total.expense[0]).toEqual({
      month: '2026-02',
      point_minor: 51983,
      low_minor: 49900,
      high_minor: 51983,
    });
    // Net: 30,000.00 less groceries (errors mirrored: +0.8333 to +20.8333), less the contracts.
    expect(result.total.net[0]).toEqual({
      month: '2026-02',
      point_minor: 2948017,
      low_minor: 2948017,
      high_minor: 2950100,
    });
    expect(result.total.contracts_minor.slice(0, 4)).toEqual([39900, 9900, 9900, 39900]);
  });

  it('refuses a horizon beyond 12 months', () => {
    expect(() => forecast(data, 13)).toThrow(RangeError);
  });
});
