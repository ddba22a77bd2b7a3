import { mean, quantileSorted } from 'simple-statistics';
import { monthNumber } from './calendar.ts';
import { roundMinor } from './numbers.ts';

/** A forecast month: the expected amount and a range that about 80 % of past months fell in. */
export interface ForecastMonth {
  month: string;
  point_minor: number;
  low_minor: number;
  high_minor: number;
}

/** How much of the last history the level averages: a year, so each season counts once. */
const LEVEL_MONTHS = 12;
/** Seasonal offsets need every calendar month seen at least once. */
const SEASONAL_MIN_MONTHS = 12;
/** The range: the 10th and 90th percentiles of the model's errors on the history. */
const LOW_QUANTILE = 0.1;
const HIGH_QUANTILE = 0.9;

/**
 * Forecasts a monthly series (`history` lines up with `months`, oldest first) for `targets`:
 * the level (the mean of the last 12 months) plus the calendar month's seasonal offset (its mean
 * over the history minus the history's mean; only with 12 months or more), and a range from the
 * 10th to the 90th percentile of the same model's errors on the history, so a steady series
 * gets a narrow range and an erratic one a wide one. `nonNegative` clamps amounts at 0 (spending
 * cannot go below nothing; a net can).
 */
export function forecastSeries(
  history: readonly number[],
  months: readonly string[],
  targets: readonly string[],
  nonNegative: boolean,
): ForecastMonth[] {
  if (history.length === 0 || history.every((value) => value === 0)) {
    return targets.map((month) => ({ month, point_minor: 0, low_minor: 0, high_minor: 0 }));
  }
  const level = mean(history.slice(-LEVEL_MONTHS));
  const offsets = seasonalOffsets(history, months);
  const fitted = (month: string) => level + (offsets.get(monthNumber(month)) ?? 0);
  const errors = history.map((value, i) => value - fitted(months[i])).sort((a, b) => a - b);
  const low = quantileSorted(errors, LOW_QUANTILE);
  const high = quantileSorted(errors, HIGH_QUANTILE);
  const floor = (value: number) => (nonNegative ? Math.max(0, value) : value);
  return targets.map((month) => {
    const expected = floor(fitted(month));
    return {
      month,
      point_minor: roundMinor(expected),
      low_minor: roundMinor(floor(Math.min(expected, expected + low))),
      high_minor: roundMinor(Math.max(expected, expected + high)),
    };
  });
}

function seasonalOffsets(history: readonly number[], months: readonly string[]): Map<number, number> {
  const offsets = new Map<number, number>();
  if (history.length < SEASONAL_MIN_MONTHS) return offsets;
  const overall = mean(history as number[]);
  const byMonth = new Map<number, number[]>();
  history.forEach((value, i) => {
    const no = monthNumber(months[i]);
    byMonth.set(no, [...(byMonth.get(no) ?? []), value]);
  });
  for (const [no, values] of byMonth) offsets.set(no, mean(values) - overall);
  return offsets;
}

/** Adds an exact amount (contract payments) to each month of a forecast: the range moves with it. */
export function shiftForecast(forecast: ForecastMonth[], amounts: readonly number[], sign = 1): ForecastMonth[] {
  return forecast.map((m, i) => ({
    month: m.month,
    point_minor: m.point_minor + sign * amounts[i],
    low_minor: m.low_minor + sign * amounts[i],
    high_minor: m.high_minor + sign * amounts[i],
  }));
}
