import { randomUUID } from 'node:crypto';
import type { JobKind, StepContext } from '../../supabase/functions/_shared/jobs/kind.ts';
import { restStorage } from '../../supabase/functions/_shared/jobs/storage.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

/**
 * An import kind run as the jobs worker runs it, against the stack's database and Storage, for
 * the suites that compare a file previewed in many tiny steps with the same file in one step.
 */
export const storage = restStorage(target.url, target.serviceKey);

/** A step's context for a new job of the organization, with `remainingMs` of time always left. */
export function stepContext(orgId: string, remainingMs: number): StepContext {
  return {
    jobId: randomUUID(),
    orgId,
    requestedBy: null,
    attempt: 1,
    sql: adminSql,
    storage,
    deadline: { remainingMs: () => remainingMs },
  };
}

/** Runs `kind` to its end; with `twice`, each step runs once more from the same checkpoint, its first result lost. */
export async function runSteps<P, S, R>(kind: JobKind<P, S, R>, ctx: StepContext, params: P, twice = false) {
  let state = kind.initialState(params);
  for (let steps = 1; ; steps++) {
    if (twice) await kind.step(ctx, params, state);
    const result = await kind.step(ctx, params, state);
    state = JSON.parse(JSON.stringify(result.state));
    if (result.done !== undefined) return { done: result.done, steps };
  }
}

/** A batch as the preview left it, and its rows (the parts of a CAMT split entry share a line). */
export async function batchAndRows(orgId: string, batchId: string) {
  const [batch] = await adminSql`
    select status::text, format::text, mapping, preset, statement_account, currency, entry_count, new_count,
           duplicate_count, conflict_count, problems, problem_count, opening_balance_minor::text, opening_on::text,
           closing_balance_minor::text, closing_on::text
    from public.import_batches where org_id = ${orgId} and id = ${batchId}`;
  const rows = await adminSql`
    select line, booked_on::text, value_on::text, amount_minor::text, currency, counterparty, counterparty_account,
           text, bank_reference, status::text, match_reason, duplicate_of, decision::text
    from public.import_rows where org_id = ${orgId} and batch_id = ${batchId}
    order by line, bank_reference, amount_minor`;
  return { batch, rows };
}
