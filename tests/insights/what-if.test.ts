import { amortize, scenarioSchema, whatIf } from '@westwallet/shared/insights';
import { describe, expect, it } from 'vitest';
import { contract, expenseCategory, incomeCategory, inputs, monthRange, repeat } from './inputs.ts';

// A year of 1,000.00 income and 600.00 groceries a month, a 100.00 streaming contract and
// 1,000.00 in the bank: the baseline spends 700.00 and saves 300.00 each month.
const data = inputs(monthRange('2025-01', 12), {
  as_of: '2026-01-15',
  categories: [incomeCategory('salary', repeat(100000, 12)), expenseCategory('groceries', repeat(60000, 12))],
  contracts: [contract('streaming', { amount_minor: 10000, anchor_on: '2025-01-20', starts_on: '2025-01-20' })],
  accounts: [
    {
      account_id: 'bank',
      name: 'Bank',
      kind: 'bank',
      balance_minor: 100000,
      net_minor: repeat(0, 12),
      net_current_minor: 0,
    },
  ],
});

describe('what-if', () => {
  it('projects a cancelled contract, lower income, a new cost and a purchase against the baseline', () => {
    const scenario = scenarioSchema.parse({
      cancel_contract_ids: [],
      income_change_percent: -10,
      monthly_costs: [{ name: 'Gym', amount_minor: 5000, from_month: 3 }],
      one_off: [{ name: 'Bike', amount_minor: 50000, month: 6 }],
    });
    scenario.cancel_contract_ids = ['streaming'];
    const result = whatIf(data, scenario);
    expect(result.baseline).toMatchObject({
      income_minor: 1200000,
      expense_minor: 840000,
      net_minor: 360000,
      savings_rate: 0.3,
      buffer_end_minor: 460000,
    });
    // Income 900.00; spending 600.00 (months 1-2), 650.00 (3-12), +500.00 in month 6.
    expect(result.scenario.months.map((m) => m.expense_minor)).toEqual([
      60000, 60000, 65000, 65000, 65000, 115000, 65000, 65000, 65000, 65000, 65000, 65000,
    ]);
    expect(result.scenario).toMatchObject({
      income_minor: 1080000,
      expense_minor: 820000,
      net_minor: 260000,
      savings_rate: 0.2407,
      buffer_end_minor: 360000,
      lowest_buffer_minor: 100000,
    });
    expect(result.difference).toMatchObject({ net_minor: -100000, buffer_end_minor: -100000, savings_rate: -0.0593 });
  });

  it('pays a loan as an annuity from the month after and counts what is owed as debt', () => {
    // 10,000.00 at 6 %: 0.5 % a month, P r / (1 - 1.005^-12) = 860.6643 -> 860.66 a payment.
    const loan = { name: 'Car', principal_minor: 1000000, annual_rate_percent: 6, term_months: 12, month: 1 };
    const { payment, payments, owedEnd } = amortize(loan);
    expect(payment).toBe(86066);
    expect(payments).toEqual([0, ...repeat(86066, 11)]);
    // One payment left, less a month's interest: about 860.66 / 1.005 = 856.38 (856.42 after rounding each month).
    expect(owedEnd).toBe(85642);
    const result = whatIf(data, scenarioSchema.parse({ loans: [loan] }));
    expect(result.scenario.debt_end_minor).toBe(85642);
    expect(result.difference.net_minor).toBe(-86066 * 11);
    expect(result.loans).toEqual([{ name: 'Car', payment_minor: 86066, months_paid: 11, owed_end_minor: 85642 }]);
  });

  it('refuses to cancel a contract it does not know', () => {
    const scenario = scenarioSchema.parse({ cancel_contract_ids: ['6f1d2c3b-0000-4000-8000-000000000000'] });
    expect(() => whatIf(data, scenario)).toThrow(expect.objectContaining({ code: 'CONTRACT_NOT_FOUND' }));
  });

  it('validates a scenario: whole minor units, a month of the projection', () => {
    expect(scenarioSchema.safeParse({ one_off: [{ name: 'x', amount_minor: 10.5, month: 1 }] }).success).toBe(false);
    expect(scenarioSchema.safeParse({ one_off: [{ name: 'x', amount_minor: 10, month: 13 }] }).success).toBe(false);
    expect(scenarioSchema.safeParse({ surprise: true }).success).toBe(false);
  });
});
