import { z } from 'zod';
import { AppError } from '../errors.ts';
import { contractPayments, forecast } from './forecast.ts';
import type { InsightInputs } from './inputs.ts';
import { checkedMinor, ratio, roundMinor, sumMinor } from './numbers.ts';
import { factsAt, monthlyCost, scoreFromFacts } from './score.ts';

/** At most what money can be (docs/money.md#bounds). */
const amount = z.number().int().positive().max(1e15);
/** Month 1 is the month after today's. */
const projectionMonth = z.number().int().min(1).max(12);

export const scenarioSchema = z.strictObject({
  /** Contracts ended before the first projected month. */
  cancel_contract_ids: z.array(z.uuid()).max(500).default([]),
  /** Income up (or down, negative) by this percentage from the first projected month. */
  income_change_percent: z.number().min(-100).max(1000).default(0),
  monthly_costs: z
    .array(z.strictObject({ name: z.string().max(120), amount_minor: amount, from_month: projectionMonth.default(1) }))
    .max(50)
    .default([]),
  one_off: z
    .array(z.strictObject({ name: z.string().max(120), amount_minor: amount, month: projectionMonth }))
    .max(50)
    .default([]),
  loans: z
    .array(
      z.strictObject({
        name: z.string().max(120),
        principal_minor: amount,
        annual_rate_percent: z.number().min(0).max(100),
        term_months: z.number().int().min(1).max(600),
        /** The month the loan pays for a purchase; its payments start the month after. */
        month: projectionMonth.default(1),
      }),
    )
    .max(10)
    .default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;

export interface ProjectedMonth {
  month: string;
  income_minor: number;
  expense_minor: number;
  net_minor: number;
  /** Liquid savings at the month's end: today's plus each month's net. */
  buffer_minor: number;
}

export interface Projection {
  months: ProjectedMonth[];
  income_minor: number;
  expense_minor: number;
  net_minor: number;
  savings_rate: number | null;
  buffer_end_minor: number;
  lowest_buffer_minor: number;
  /** The buffer at the end in months of the projection's average spending. */
  buffer_months: number | null;
  debt_end_minor: number;
  score: number | null;
}

export interface WhatIf {
  currency: string;
  baseline: Projection;
  scenario: Projection;
  /** Scenario minus baseline. */
  difference: { net_minor: number; buffer_end_minor: number; savings_rate: number | null; score: number | null };
  loans: { name: string; payment_minor: number; months_paid: number; owed_end_minor: number }[];
}

const HORIZON = 12;

/**
 * A scenario against the baseline over the next 12 months. The baseline is the forecast's points
 * (contracts on their schedules, the rest from history); the scenario removes the cancelled
 * contracts' payments, scales income, adds the new monthly costs, the one-off purchases and the
 * loans' payments. A loan pays for a purchase the month it is taken (cash does not move then);
 * its annuity payments (rounded once to minor units, interest rounded each month) follow from
 * the next month, and what is still owed counts as debt. Both sides are scored the same way
 * (scoreFromFacts over the projected year), so the difference is the scenario's alone.
 */
export function whatIf(inputs: InsightInputs, scenario: Scenario): WhatIf {
  const known = new Map(inputs.contracts.map((c) => [c.contract_id, c]));
  const missing = scenario.cancel_contract_ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw new AppError('CONTRACT_NOT_FOUND', `No running contract ${missing.join(', ')}.`);

  const base = forecast(inputs, HORIZON);
  const income = base.total.income.map((m) => m.point_minor);
  const expense = base.total.expense.map((m) => m.point_minor);
  const now = factsAt(inputs, inputs.months.length, true);

  const cancelled = scenario.cancel_contract_ids.map((id) => known.get(id)).filter((c) => c !== undefined);
  const saved = contractPayments(cancelled, base.months).total;
  const loans = scenario.loans.map((loan) => amortize(loan));
  const extra = base.months.map((_, i) => {
    const month = i + 1;
    const costs = scenario.monthly_costs.filter((c) => c.from_month <= month).map((c) => c.amount_minor);
    const purchases = scenario.one_off.filter((o) => o.month === month).map((o) => o.amount_minor);
    const loanPayments = loans.map((l) => l.payments[i]);
    return sumMinor([...costs, ...purchases, ...loanPayments]) - saved[i];
  });
  const factor = 1 + scenario.income_change_percent / 100;
  const scenarioIncome = income.map((value) => roundMinor(value * factor));
  const scenarioExpense = expense.map((value, i) => checkedMinor(Math.max(0, value + extra[i])));

  const fixedChange =
    sumMinor(scenario.monthly_costs.map((c) => c.amount_minor)) +
    sumMinor(loans.map((l) => (l.owedEnd > 0 ? l.payment : 0))) -
    Math.round(cancelled.reduce((sum, c) => sum + monthlyCost(c), 0));
  const baseline = project(base.months, income, expense, now, now.debt_minor, now.fixed_monthly_minor);
  const projected = project(
    base.months,
    scenarioIncome,
    scenarioExpense,
    now,
    now.debt_minor + sumMinor(loans.map((l) => l.owedEnd)),
    Math.max(0, now.fixed_monthly_minor + fixedChange),
  );
  return {
    currency: inputs.currency,
    baseline,
    scenario: projected,
    difference: {
      net_minor: projected.net_minor - baseline.net_minor,
      buffer_end_minor: projected.buffer_end_minor - baseline.buffer_end_minor,
      savings_rate:
        projected.savings_rate !== null && baseline.savings_rate !== null
          ? Math.round((projected.savings_rate - baseline.savings_rate) * 10_000) / 10_000
          : null,
      score: projected.score !== null && baseline.score !== null ? projected.score - baseline.score : null,
    },
    loans: scenario.loans.map((loan, i) => ({
      name: loan.name,
      payment_minor: loans[i].payment,
      months_paid: loans[i].payments.filter((p) => p > 0).length,
      owed_end_minor: loans[i].owedEnd,
    })),
  };
}

function project(
  months: string[],
  income: number[],
  expense: number[],
  now: ReturnType<typeof factsAt>,
  debt: number,
  fixedMonthly: number,
): Projection {
  let buffer = now.liquid_minor;
  let lowest = buffer;
  const rows = months.map((month, i) => {
    const net = checkedMinor(income[i] - expense[i]);
    buffer = checkedMinor(buffer + net);
    lowest = Math.min(lowest, buffer);
    return { month, income_minor: income[i], expense_minor: expense[i], net_minor: net, buffer_minor: buffer };
  });
  const totalIncome = sumMinor(income);
  const totalExpense = sumMinor(expense);
  const { score } = scoreFromFacts({
    months: months.length,
    income_minor: totalIncome,
    expense_minor: totalExpense,
    monthly_expense_minor: expense,
    liquid_minor: Math.max(0, buffer),
    debt_minor: debt,
    fixed_monthly_minor: fixedMonthly,
    bills_due: now.bills_due,
    bills_on_time: now.bills_on_time,
  });
  return {
    months: rows,
    income_minor: totalIncome,
    expense_minor: totalExpense,
    net_minor: totalIncome - totalExpense,
    savings_rate: ratio(totalIncome - totalExpense, totalIncome),
    buffer_end_minor: buffer,
    lowest_buffer_minor: lowest,
    buffer_months: totalExpense > 0 ? ratio(buffer, totalExpense / months.length) : null,
    debt_end_minor: debt,
    score,
  };
}

/**
 * An annuity loan over the projection: the monthly payment P r / (1 - (1 + r)^-n) (P / n without
 * interest) rounded once; each month's interest rounded to minor units; the last payment settles
 * what is left. Payments start the month after the loan's month.
 */
export function amortize(loan: Scenario['loans'][number]) {
  const rate = loan.annual_rate_percent / 100 / 12;
  const n = loan.term_months;
  const payment = roundMinor(
    rate === 0 ? loan.principal_minor / n : (loan.principal_minor * rate) / (1 - (1 + rate) ** -n),
  );
  let owed = loan.principal_minor;
  let paid = 0;
  const payments = Array.from({ length: HORIZON }, (_, i) => {
    if (i + 1 <= loan.month || paid >= n) return 0;
    const interest = roundMinor(owed * rate);
    paid++;
    const due = paid === n ? owed + interest : Math.min(payment, owed + interest);
    owed = checkedMinor(owed + interest - due);
    return due;
  });
  return { payment, payments, owedEnd: owed };
}
