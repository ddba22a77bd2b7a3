import { healthScore, scoreFromFacts } from '@westwallet/shared/insights';
import { describe, expect, it } from 'vitest';
import { contract, expenseCategory, incomeCategory, inputs, monthRange, repeat } from './inputs.ts';

// 1,000.00 a month of income; spending alternating 680.00 and 1,020.00 (mean 850.00, standard
// deviation 170.00).
const alternating = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 68000 : 102000));

describe('the health score from its facts', () => {
  it('weighs each component scored on its line', () => {
    const score = scoreFromFacts({
      months: 12,
      income_minor: 1200000,
      expense_minor: 1020000,
      monthly_expense_minor: alternating,
      liquid_minor: 255000,
      debt_minor: 600000,
      fixed_monthly_minor: 40000,
      bills_due: 9,
      bills_on_time: 8,
    });
    // spending 0.85 -> 83, savings 0.15 -> 75, buffer 3 months -> 50, debt 0.5 of a year's
    // income -> 100, fixed 0.4 -> 100, volatility 0.2 -> 75, bills 8/9 -> 78:
    // (83*20 + 75*15 + 50*20 + 100*15 + 100*10 + 75*10 + 78*10) / 100 = 78.15.
    expect(score.components.map((c) => [c.name, c.value, c.score])).toEqual([
      ['spending_vs_income', 0.85, 83],
      ['savings_rate', 0.15, 75],
      ['buffer_months', 3, 50],
      ['debt_to_income', 0.5, 100],
      ['fixed_costs_share', 0.4, 100],
      ['spending_volatility', 0.2, 75],
      ['bills_on_time', 0.8889, 78],
    ]);
    expect(score.score).toBe(78);
  });

  it('leaves out what cannot be told, and scores spending without income as the worst', () => {
    const score = scoreFromFacts({
      months: 2,
      income_minor: 0,
      expense_minor: 50000,
      monthly_expense_minor: [25000, 25000],
      liquid_minor: 0,
      debt_minor: 0,
      fixed_monthly_minor: 0,
      bills_due: 0,
      bills_on_time: 0,
    });
    const byName = Object.fromEntries(score.components.map((c) => [c.name, c.score]));
    expect(byName).toEqual({
      spending_vs_income: 0,
      savings_rate: 0,
      buffer_months: 0,
      debt_to_income: 100,
      fixed_costs_share: null,
      spending_volatility: null,
      bills_on_time: null,
    });
    // (0*20 + 0*15 + 0*20 + 100*15) / 70.
    expect(score.score).toBe(21);
  });

  it('has no score without any history', () => {
    const empty = scoreFromFacts({
      months: 0,
      income_minor: 0,
      expense_minor: 0,
      monthly_expense_minor: [],
      liquid_minor: 0,
      debt_minor: 0,
      fixed_monthly_minor: 0,
      bills_due: 0,
      bills_on_time: 0,
    });
    expect(empty.score).toBeNull();
  });
});

describe('the health score of an organization', () => {
  const months = monthRange('2025-01', 12);
  const data = inputs(months, {
    as_of: '2026-01-15',
    categories: [incomeCategory('salary', repeat(100000, 12)), expenseCategory('groceries', alternating)],
    accounts: [
      {
        account_id: 'bank',
        name: 'Bank',
        kind: 'bank',
        balance_minor: 255000,
        net_minor: alternating.map((e) => 100000 - e),
        net_current_minor: 0,
      },
      {
        account_id: 'loan',
        name: 'Loan',
        kind: 'loan',
        balance_minor: -600000,
        net_minor: repeat(0, 12),
        net_current_minor: 0,
      },
    ],
  });
  const report = healthScore(data);

  it('scores the last twelve months with today\u2019s balances and tips the weakest component', () => {
    // As above without contracts (fixed 0 -> 100) and bills (left out): 7035 / 90 = 78.17.
    expect(report.score).toBe(78);
    expect(report.tip).toMatchObject({ component: 'buffer_months' });
  });

  it('shows the trend over the last six month ends, the last one today\u2019s when nothing moved since', () => {
    expect(report.trend.map((t) => t.month)).toEqual(months.slice(6));
    expect(report.trend[5].score).toBe(report.score);
    expect(report.change_3_months).toBe((report.score ?? 0) - (report.trend[3].score ?? 0));
    // July 2025: 7 months, income 7,000.00, spending 5,780.00 (0.8257 -> 91), savings 0.1743 ->
    // 87; the bank then held 2,550.00 less August to December's net 580.00: 1,970.00 is 2.3858
    // months of 825.71 -> 40; debt 0.5 -> 100; fixed -> 100; volatility 168.26 / 825.71 = 0.2038
    // -> 74. (91*20 + 87*15 + 40*20 + 100*15 + 100*10 + 74*10) / 90 = 79.6.
    expect(report.trend[0].score).toBe(80);
  });
});

describe('bills on time', () => {
  it('counts the contract payments due in the last three months that were paid from 10 days before to 5 after', () => {
    // Due 2025-11-05, 2025-12-05 and 2026-01-05 (as of 2026-01-15); paid a day late, 15 days
    // late, a day early: 2 of 3 on time -> (0.6667 - 0.5) / 0.5 = 33.
    const payments = ['2026-01-04', '2025-12-20', '2025-11-06'].map((booked_on, i) => ({
      transaction_id: `p${i}`,
      booked_on,
      amount_minor: 10000,
      currency: 'SEK',
    }));
    const data = inputs(monthRange('2025-01', 12), {
      as_of: '2026-01-15',
      categories: [incomeCategory('salary', repeat(100000, 12))],
      contracts: [contract('rent', { anchor_on: '2025-01-05', starts_on: '2025-01-05', payments })],
    });
    const bills = healthScore(data).components.find((c) => c.name === 'bills_on_time');
    expect(bills).toMatchObject({ value: 0.6667, score: 33 });
  });

  it('leaves out contracts whose payments are never linked', () => {
    const data = inputs(monthRange('2025-01', 12), {
      categories: [incomeCategory('salary', repeat(100000, 12))],
      contracts: [contract('rent', { anchor_on: '2025-01-05' })],
    });
    expect(healthScore(data).components.find((c) => c.name === 'bills_on_time')?.score).toBeNull();
  });
});
