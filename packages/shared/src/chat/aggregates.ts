import type { Forecast, ScoreReport } from '../insights/index.ts';

/**
 * What the model is told up front about an organization, smaller than the RPCs' answers: the
 * dashboard without its per-vendor list, the contracts' totals and coming dates, the forecast's
 * totals (categories left to the tools), the health score with its components and tip.
 */
export function compactAggregates(parts: {
  dashboard?: Record<string, unknown> | null;
  contracts?: Record<string, unknown> | null;
  forecast?: Forecast | null;
  score?: ScoreReport | null;
}): Record<string, unknown> {
  const compact: Record<string, unknown> = {};
  if (parts.dashboard) {
    const { by_vendor: _vendors, ...dashboard } = parts.dashboard;
    compact.dashboard_last_3_months = dashboard;
  }
  if (parts.contracts) compact.contracts = parts.contracts;
  if (parts.forecast) {
    compact.forecast_next_months = {
      currency: parts.forecast.currency,
      months: parts.forecast.months,
      total: parts.forecast.total,
    };
  }
  if (parts.score) {
    const { score, components, tip, change_3_months } = parts.score;
    compact.health_score = { score, components, tip, change_3_months };
  }
  return compact;
}
