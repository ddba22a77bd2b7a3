import { type ChatContext, compactAggregates } from '@westwallet/shared/chat';
import { forecast, healthScore, type InsightInputs } from '@westwallet/shared/insights';
import type { AuthUser } from '../_shared/auth.ts';
import { asUser } from '../_shared/db.ts';

/** Months of history the forecast and the score read, as the insights function reads them. */
const HISTORY_MONTHS = 36;
const FORECAST_MONTHS = 3;

/**
 * What the model is told about the organization before the question: the dashboard of the last
 * three months, the contracts, the forecast and the health score, all read with the caller's role
 * and claims (as the Data API would), so the database decides what they may see.
 */
export function chatContext(user: AuthUser, orgId: string): Promise<ChatContext> {
  return asUser(user, async (sql) => {
    await sql`set local role authenticated`;
    const [row] = await sql<
      {
        name: string;
        kind: string;
        base_currency: string;
        today: string;
        dashboard: Record<string, unknown>;
        contracts: Record<string, unknown>;
        inputs: InsightInputs;
      }[]
    >`
      with org as (
        select o.id, o.name, o.kind::text as kind, o.base_currency,
               (now() at time zone o.time_zone)::date as today
        from public.organizations o where o.id = ${orgId}
      )
      select org.name, org.kind, org.base_currency, org.today::text as today,
             public.dashboard(org.id, (date_trunc('month', org.today) - interval '2 months')::date, org.today) as dashboard,
             public.contract_stats(org.id, 30, null, 10) as contracts,
             public.insight_inputs(org.id, null, ${HISTORY_MONTHS}) as inputs
      from org`;
    return {
      organization: { name: row.name, kind: row.kind, base_currency: row.base_currency },
      today: row.today,
      aggregates: compactAggregates({
        dashboard: row.dashboard,
        contracts: row.contracts,
        forecast: forecast(row.inputs, FORECAST_MONTHS),
        score: healthScore(row.inputs),
      }),
    };
  });
}
