import { daysInMonth, monthOf, monthsAfter, paymentDays } from './calendar.ts';
import type { CategoryKind, ContractInput, InsightInputs } from './inputs.ts';
import { addSeries, checkedMinor } from './numbers.ts';
import { type ForecastMonth, forecastSeries, shiftForecast } from './series.ts';

export interface CategoryForecast {
  category_id: string | null;
  name: string | null;
  kind: CategoryKind | null;
  /** Spending: contract payments exactly, the rest from its history, with a range. */
  expense: ForecastMonth[];
  /** The contract payments included in `expense`, each month. */
  contracts_minor: number[];
  income: ForecastMonth[];
}

export interface Forecast {
  currency: string;
  months: string[];
  categories: CategoryForecast[];
  total: { expense: ForecastMonth[]; income: ForecastMonth[]; net: ForecastMonth[]; contracts_minor: number[] };
  /** Contracts left out: no exchange rate to the base currency on as_of. */
  unconverted_contract_ids: string[];
}

export const MAX_FORECAST_MONTHS = 12;

/**
 * The next `horizon` months (1 to 12) after as_of's month, per category and in total. Contracts
 * are paid exactly on their schedules; the rest of each category (what history paid outside
 * contracts) comes from its seasonal history (forecastSeries). The totals' ranges come from the
 * totals' own history, not from adding the categories' ranges (ranges do not add up).
 */
export function forecast(inputs: InsightInputs, horizon: number): Forecast {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_FORECAST_MONTHS) {
    throw new RangeError(`horizon must be 1 to ${MAX_FORECAST_MONTHS} months`);
  }
  const { months } = inputs;
  const targets = monthsAfter(monthOf(inputs.as_of), horizon);
  const scheduled = contractPayments(inputs.contracts, targets);
  const variable = inputs.categories.map((c) => c.expense_minor.map((value, i) => value - c.fixed_minor[i]));

  const seen = new Set<string | null>();
  const categories: CategoryForecast[] = inputs.categories.map((c, index) => {
    seen.add(c.category_id);
    const contracts = scheduled.byCategory.get(c.category_id) ?? zeros(horizon);
    return {
      category_id: c.category_id,
      name: c.name,
      kind: c.kind,
      expense: shiftForecast(forecastSeries(variable[index], months, targets, true), contracts),
      contracts_minor: contracts,
      income: forecastSeries(c.income_minor, months, targets, true),
    };
  });
  // Contracts in categories without history yet.
  for (const [categoryId, contracts] of scheduled.byCategory) {
    if (seen.has(categoryId)) continue;
    const none = forecastSeries([], months, targets, true);
    categories.push({
      category_id: categoryId,
      name: null,
      kind: 'expense',
      expense: shiftForecast(none, contracts),
      contracts_minor: contracts,
      income: none,
    });
  }

  const variableTotal = addSeries(variable, months.length);
  const incomeTotal = addSeries(
    inputs.categories.map((c) => c.income_minor),
    months.length,
  );
  const netTotal = incomeTotal.map((income, i) => checkedMinor(income - variableTotal[i]));
  return {
    currency: inputs.currency,
    months: targets,
    categories,
    total: {
      expense: shiftForecast(forecastSeries(variableTotal, months, targets, true), scheduled.total),
      income: forecastSeries(incomeTotal, months, targets, true),
      net: shiftForecast(forecastSeries(netTotal, months, targets, false), scheduled.total, -1),
      contracts_minor: scheduled.total,
    },
    unconverted_contract_ids: scheduled.unconverted,
  };
}

/** What contracts pay each target month, per category and in total, in the base currency. */
export function contractPayments(contracts: readonly ContractInput[], targets: readonly string[]) {
  const byCategory = new Map<string | null, number[]>();
  const total = zeros(targets.length);
  const unconverted: string[] = [];
  for (const contract of contracts) {
    if (contract.amount_base_minor === null) {
      unconverted.push(contract.contract_id);
      continue;
    }
    const amounts = perMonth(contract, targets);
    if (amounts.every((amount) => amount === 0)) continue;
    const category = byCategory.get(contract.category_id) ?? zeros(targets.length);
    amounts.forEach((amount, i) => {
      category[i] = checkedMinor(category[i] + amount);
      total[i] = checkedMinor(total[i] + amount);
    });
    byCategory.set(contract.category_id, category);
  }
  return { byCategory, total, unconverted };
}

/** One contract's payments in each month of `targets`, in the base currency. */
export function perMonth(contract: ContractInput, targets: readonly string[]): number[] {
  const base = contract.amount_base_minor ?? 0;
  if (targets.length === 0) return [];
  const last = targets[targets.length - 1];
  const days = paymentDays(contract, `${targets[0]}-01`, `${last}-${daysInMonth(last)}`);
  return targets.map((month) => checkedMinor(days.filter((day) => day.startsWith(month)).length * base));
}

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}
