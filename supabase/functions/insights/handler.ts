import {
  type Anomaly,
  findAnomalies,
  forecast,
  healthScore,
  type InsightInputs,
  MAX_FORECAST_MONTHS,
  scenarioSchema,
  whatIf,
} from '@westwallet/shared/insights';
import { z } from 'zod';
import { type AuthUser, requireUser } from '../_shared/auth.ts';
import { asUser, db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';

const common = { org_id: z.uuid(), as_of: z.iso.date().optional() };

const input = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('forecast'), ...common, months: z.number().int().min(1).max(MAX_FORECAST_MONTHS) }),
  z.strictObject({ kind: z.literal('anomalies'), ...common }),
  z.strictObject({ kind: z.literal('score'), ...common }),
  z.strictObject({ kind: z.literal('what_if'), ...common, scenario: scenarioSchema }),
]);

/** Months of history the calculations read: three years, so each season is seen three times. */
const HISTORY_MONTHS = 36;

/**
 * POST { kind, org_id, as_of?, ... } as any member: the organization's forecast, anomalies,
 * health score or what-if, computed by the pure functions of packages/shared/src/insights from
 * `insight_inputs`, read with the caller's role and claims (as the Data API would), so the
 * database decides what the caller may see. Anomalies are also stored once per key.
 */
export const handler = endpoint(['POST'], async (request) => {
  const user = await requireUser(request);
  const body = input.parse(await request.json().catch(() => undefined));
  const inputs = await readInputs(user, body.org_id, body.as_of ?? null);
  switch (body.kind) {
    case 'forecast':
      return json(forecast(inputs, body.months));
    case 'score':
      return json(healthScore(inputs));
    case 'what_if':
      return json({ as_of: inputs.as_of, ...whatIf(inputs, body.scenario) });
    case 'anomalies': {
      const anomalies = findAnomalies(inputs);
      const added = await store(body.org_id, anomalies);
      return json({ as_of: inputs.as_of, anomalies: anomalies.map((a) => ({ ...a, new: added.has(a.key) })) });
    }
  }
});

function readInputs(user: AuthUser, orgId: string, asOf: string | null): Promise<InsightInputs> {
  return asUser(user, async (sql) => {
    await sql`set local role authenticated`;
    const [row] = await sql<{ inputs: InsightInputs }[]>`
      select public.insight_inputs(${orgId}, ${asOf}, ${HISTORY_MONTHS}) as inputs`;
    return row.inputs;
  });
}

/**
 * Keeps each anomaly once (by its key): those new to the organization are returned. The caller's
 * membership was checked by the read; the rows are written by the function's own connection, as
 * browsers may only read them. Hook for notifications: rows with `notified_at` null.
 */
async function store(orgId: string, anomalies: Anomaly[]): Promise<Set<string>> {
  if (anomalies.length === 0) return new Set();
  const rows = anomalies.map((a) => ({
    key: a.key,
    kind: a.kind,
    concerns_on: a.on,
    category_id: a.category_id,
    vendor_id: a.vendor_id,
    contract_id: a.contract_id,
    transaction_ids: a.transaction_ids,
    evidence: a.evidence,
  }));
  const sql = db();
  const added = await sql<{ key: string }[]>`
    insert into public.insight_anomalies
      (org_id, key, kind, concerns_on, category_id, vendor_id, contract_id, transaction_ids, evidence)
    select ${orgId}, r.key, r.kind, r.concerns_on, r.category_id, r.vendor_id, r.contract_id, r.transaction_ids, r.evidence
    from jsonb_to_recordset(${sql.json(rows)}) as r (
      key text, kind public.anomaly_kind, concerns_on date, category_id uuid, vendor_id uuid, contract_id uuid,
      transaction_ids uuid[], evidence jsonb)
    on conflict (org_id, key) do nothing
    returning key`;
  return new Set(added.map((row) => row.key));
}
