import { mean, standardDeviation } from 'simple-statistics';
import { addMonths, daysInMonth, fromDay, paymentDays, toDay } from './calendar.ts';
import type { ContractInput, InsightInputs } from './inputs.ts';
import { linearScore, ratio, sumMinor } from './numbers.ts';

/**
 * The financial health score, modeled on the FinHealth Score's indicators (spend less than
 * income, pay bills on time, sufficient liquid savings, long-term savings, manageable debt),
 * without the credit score, which Nordic households do not have. Each component is scored 0-100
 * by a straight line between a worst and a best value (clamped); the score is their weighted
 * mean over the components that can be told (weights of the others are left out, not counted as
 * zero). docs/insights.md has the table.
 */
export type ComponentName =
  | 'spending_vs_income'
  | 'savings_rate'
  | 'buffer_months'
  | 'debt_to_income'
  | 'fixed_costs_share'
  | 'spending_volatility'
  | 'bills_on_time';

export interface ComponentRule {
  weight: number;
  /** The value scored 0 and the value scored 100. */
  worst: number;
  best: number;
  tip: string;
}

export const COMPONENTS: Record<ComponentName, ComponentRule> = {
  spending_vs_income: {
    weight: 20,
    worst: 1.1,
    best: 0.8,
    tip: 'Spending is close to or above income: look at the largest variable categories first.',
  },
  savings_rate: {
    weight: 15,
    worst: 0,
    best: 0.2,
    tip: 'Set aside a fixed share of income on payday; 20 % is the healthy mark.',
  },
  buffer_months: {
    weight: 20,
    worst: 0,
    best: 6,
    tip: 'Build a buffer of liquid savings: aim for three, then six months of spending.',
  },
  debt_to_income: {
    weight: 15,
    worst: 4.5,
    best: 0.5,
    tip: 'Debt is high against income: pay down the most expensive loans and cards first.',
  },
  fixed_costs_share: {
    weight: 10,
    worst: 0.8,
    best: 0.5,
    tip: 'Fixed costs take much of income: review contracts and subscriptions you can end.',
  },
  spending_volatility: {
    weight: 10,
    worst: 0.5,
    best: 0.1,
    tip: 'Spending swings from month to month: plan large purchases and yearly bills ahead.',
  },
  bills_on_time: {
    weight: 10,
    worst: 0.5,
    best: 1,
    tip: 'Some bills were paid late or not found: set up direct debit or reminders.',
  },
};

/** What the score is computed from: a window of months and the balances at its end. */
export interface ScoreFacts {
  /** Months in the window (income and expense are its sums). */
  months: number;
  income_minor: number;
  expense_minor: number;
  /** Each month's expenses, for the volatility. */
  monthly_expense_minor: number[];
  /** Bank, savings and cash balances (at least 0). */
  liquid_minor: number;
  /** What is owed on loans and cards (at least 0). */
  debt_minor: number;
  /** What the running contracts cost a month. */
  fixed_monthly_minor: number;
  /** Contract payments due in the window's last three months, and those paid on time. */
  bills_due: number;
  bills_on_time: number;
}

export interface ScoreComponent {
  name: ComponentName;
  /** The measured value (a ratio or months); null when it cannot be told. */
  value: number | null;
  /** 0-100; null when left out. */
  score: number | null;
  weight: number;
}

export interface HealthScore {
  /** 0-100; null when no component can be told (no history). */
  score: number | null;
  components: ScoreComponent[];
}

export function scoreFromFacts(facts: ScoreFacts): HealthScore {
  const monthlyIncome = facts.months > 0 ? facts.income_minor / facts.months : 0;
  const monthlyExpense = facts.months > 0 ? facts.expense_minor / facts.months : 0;
  const hasMoney = facts.income_minor > 0 || facts.expense_minor > 0;
  const values: Record<ComponentName, number | null> = {
    spending_vs_income: hasMoney ? perIncome(facts.expense_minor, facts.income_minor) : null,
    savings_rate: hasMoney ? perIncome(facts.income_minor - facts.expense_minor, facts.income_minor, -1) : null,
    buffer_months:
      monthlyExpense > 0
        ? ratio(facts.liquid_minor, monthlyExpense)
        : facts.liquid_minor > 0
          ? COMPONENTS.buffer_months.best
          : null,
    debt_to_income: facts.debt_minor > 0 ? perIncome(facts.debt_minor, monthlyIncome * 12) : hasMoney ? 0 : null,
    fixed_costs_share:
      facts.fixed_monthly_minor === 0 && monthlyIncome === 0
        ? null
        : perIncome(facts.fixed_monthly_minor, monthlyIncome),
    spending_volatility: volatility(facts.monthly_expense_minor),
    bills_on_time: facts.bills_due > 0 ? ratio(facts.bills_on_time, facts.bills_due) : null,
  };
  const components = (Object.keys(COMPONENTS) as ComponentName[]).map((name): ScoreComponent => {
    const rule = COMPONENTS[name];
    const value = values[name];
    return {
      name,
      value,
      score: value === null ? null : linearScore(value, rule.worst, rule.best),
      weight: rule.weight,
    };
  });
  const counted = components.filter((c) => c.score !== null);
  const weights = counted.reduce((sum, c) => sum + c.weight, 0);
  const score =
    weights === 0 ? null : Math.round(counted.reduce((sum, c) => sum + (c.score ?? 0) * c.weight, 0) / weights);
  return { score, components };
}

/**
 * A ratio to income; without income, any amount is as bad as it gets (the worst end of the
 * component's line, `sign` -1 for a rate where lower is worse) and nothing is as good.
 */
function perIncome(amount: number, income: number, sign = 1): number {
  if (income > 0) return ratio(amount, income) ?? 0;
  if (amount === 0) return 0;
  return sign * Number.MAX_SAFE_INTEGER;
}

/** The coefficient of variation (population standard deviation over the mean); needs 3 months. */
function volatility(monthly: readonly number[]): number | null {
  if (monthly.length < 3) return null;
  const average = mean(monthly as number[]);
  if (average <= 0) return null;
  return ratio(standardDeviation(monthly as number[]), average);
}

export interface ScoreReport extends HealthScore {
  as_of: string;
  /** The score at the end of each of the last six complete months, oldest first. */
  trend: { month: string; score: number | null }[];
  /** The score now minus the score three months ago; null when either is unknown. */
  change_3_months: number | null;
  /** For the weakest component (lowest score; the heavier weight first on a tie). */
  tip: { component: ComponentName; text: string } | null;
}

const WINDOW_MONTHS = 12;
const TREND_MONTHS = 6;
/** A bill counts as paid on time when a linked payment is booked from 10 days before to 5 after. */
const EARLY_DAYS = 10;
const LATE_DAYS = 5;
const BILL_MONTHS = 3;

/**
 * The score now (the last 12 complete months and today's balances), its trend over the last six
 * month ends, and a tip for the weakest component.
 */
export function healthScore(inputs: InsightInputs): ScoreReport {
  const n = inputs.months.length;
  const now = scoreFromFacts(factsAt(inputs, n, true));
  const trend = inputs.months.slice(Math.max(0, n - TREND_MONTHS)).map((month, i, shown) => ({
    month,
    score: scoreFromFacts(factsAt(inputs, n - shown.length + i + 1, false)).score,
  }));
  const threeBack = trend.length >= 3 ? trend[trend.length - 3].score : null;
  const weakest = now.components
    .filter((c) => c.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0) || b.weight - a.weight)[0];
  return {
    as_of: inputs.as_of,
    ...now,
    trend,
    change_3_months: now.score !== null && threeBack !== null ? now.score - threeBack : null,
    tip:
      weakest && (weakest.score ?? 100) < 100 ? { component: weakest.name, text: COMPONENTS[weakest.name].tip } : null,
  };
}

/**
 * The facts of the window ending with month `end` (exclusive index into months). Balances are
 * today's (`current`) or those at the end of month `end - 1`: today's less what moved since.
 */
export function factsAt(inputs: InsightInputs, end: number, current: boolean): ScoreFacts {
  const start = Math.max(0, end - WINDOW_MONTHS);
  const monthly = inputs.months
    .slice(start, end)
    .map((_, i) => sumMinor(inputs.categories.map((c) => c.expense_minor[start + i])));
  const income = sumMinor(inputs.categories.map((c) => sumMinor(c.income_minor.slice(start, end))));
  const balances = (kinds: string[]) =>
    sumMinor(
      inputs.accounts
        .filter((a) => kinds.includes(a.kind) && a.balance_minor !== null)
        .map((a) =>
          current
            ? (a.balance_minor ?? 0)
            : (a.balance_minor ?? 0) - a.net_current_minor - sumMinor(a.net_minor.slice(end)),
        ),
    );
  const lastMonth = inputs.months[end - 1] ?? inputs.as_of.slice(0, 7);
  const windowEnd = current ? inputs.as_of : `${lastMonth}-${daysInMonth(lastMonth)}`;
  const bills = billsOnTime(inputs.contracts, windowEnd, current ? inputs.as_of : windowEnd);
  return {
    months: end - start,
    income_minor: income,
    expense_minor: sumMinor(monthly),
    monthly_expense_minor: monthly,
    liquid_minor: Math.max(0, balances(['bank', 'savings', 'cash'])),
    debt_minor: Math.max(0, -balances(['loan', 'card'])),
    fixed_monthly_minor: fixedMonthly(inputs.contracts, windowEnd),
    ...bills,
  };
}

/** What one payment a month of the contract comes to: 12 a year, or 52 for weekly. */
export function monthlyCost(contract: ContractInput): number {
  const base = contract.amount_base_minor ?? 0;
  switch (contract.frequency) {
    case 'weekly':
      return (base * 52) / 12;
    case 'monthly':
      return base;
    case 'quarterly':
      return base / 3;
    case 'half_yearly':
      return base / 6;
    case 'yearly':
      return base / 12;
    case 'every_n_months':
      return base / (contract.interval_months ?? 1);
  }
}

function fixedMonthly(contracts: readonly ContractInput[], on: string): number {
  const running = contracts.filter((c) => c.starts_on <= on && (c.ends_on === null || c.ends_on >= on));
  return Math.round(running.reduce((sum, c) => sum + monthlyCost(c), 0));
}

/**
 * Payments due in the three months up to `end` (those due after `asOf` less the grace days are
 * not yet late), for contracts whose payments are linked to them at all: a household that never
 * links payments is not counted as never paying. Each payment settles one due day.
 */
function billsOnTime(contracts: readonly ContractInput[], end: string, asOf: string) {
  let due = 0;
  let onTime = 0;
  const from = `${addMonths(end.slice(0, 7), -(BILL_MONTHS - 1))}-01`;
  const until = fromDay(Math.min(toDay(end), toDay(asOf) - LATE_DAYS));
  for (const contract of contracts) {
    if (contract.payments.length === 0) continue;
    const paid = contract.payments.map((p) => toDay(p.booked_on));
    const used = new Set<number>();
    for (const day of paymentDays(contract, from, until)) {
      due++;
      const d = toDay(day);
      const match = paid.findIndex((p, i) => !used.has(i) && p >= d - EARLY_DAYS && p <= d + LATE_DAYS);
      if (match >= 0) {
        used.add(match);
        onTime++;
      }
    }
  }
  return { bills_due: due, bills_on_time: onTime };
}
