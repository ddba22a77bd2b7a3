import { AppError } from '../errors.ts';

/**
 * Money stays integer minor units: statistics (means, medians, quantiles) are ratios computed as
 * numbers, and each amount derived from them is rounded once, half away from zero, the rule the
 * contracts' costs follow (docs/contracts.md).
 */
export function roundMinor(value: number): number {
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return checkedMinor(rounded === 0 ? 0 : rounded);
}

/** An exact sum of minor amounts, refused (AMOUNT_OUT_OF_RANGE) when beyond a safe integer. */
export function sumMinor(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return checkedMinor(total);
}

export function checkedMinor(value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new AppError('AMOUNT_OUT_OF_RANGE', 'An insight total is beyond what can be counted exactly.');
  }
  return value;
}

/** The element-wise sum of equally long monthly series. */
export function addSeries(series: readonly (readonly number[])[], length: number): number[] {
  const total = new Array<number>(length).fill(0);
  for (const values of series) for (let i = 0; i < length; i++) total[i] += values[i] ?? 0;
  return total.map(checkedMinor);
}

/** `value` mapped linearly from [worst, best] to [0, 100], clamped; worst may be above best. */
export function linearScore(value: number, worst: number, best: number): number {
  const share = (value - worst) / (best - worst);
  return Math.round(Math.min(1, Math.max(0, share)) * 100);
}

/** A ratio rounded to four decimals, so answers compare exactly across runs and platforms. */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}
