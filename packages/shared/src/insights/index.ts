export { type Anomaly, type AnomalyKind, findAnomalies, MODIFIED_Z_LIMIT, modifiedZScore } from './anomalies.ts';
export { paymentDays } from './calendar.ts';
export { type CategoryForecast, type Forecast, forecast, MAX_FORECAST_MONTHS } from './forecast.ts';
export type * from './inputs.ts';
export {
  COMPONENTS,
  type ComponentName,
  type HealthScore,
  healthScore,
  type ScoreFacts,
  type ScoreReport,
  scoreFromFacts,
} from './score.ts';
export { type ForecastMonth, forecastSeries } from './series.ts';
export { amortize, type Projection, type Scenario, scenarioSchema, type WhatIf, whatIf } from './what-if.ts';
