import { AppError } from '@westwallet/shared';
import { z } from 'zod';
import { hasSecretKey } from '../_shared/auth.ts';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';
import { Budget } from '../_shared/jobs/budget.ts';
import { jobKinds } from '../_shared/jobs/kinds.ts';
import { runJobs } from '../_shared/jobs/runner.ts';
import { restStorage, type StepStorage } from '../_shared/jobs/storage.ts';

/** Well under the hosted wall-clock limit (150 s on the free plan), and the 2 s of CPU. */
const DEFAULT_WALL_MS = 25_000;
const CPU_MS = 1500;

const requestSchema = z.strictObject({
  /** A shorter wall-clock budget for this invocation, in milliseconds. */
  budget_ms: z.int().min(100).max(DEFAULT_WALL_MS).optional(),
});

function storage(): StepStorage {
  const url = Deno.env.get('SUPABASE_URL');
  const key = Deno.env.get('SUPABASE_SECRET_KEY') ?? Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');
  if (!url || !key) throw new Error('SUPABASE_URL and the secret key must be set');
  return restStorage(url, key);
}

/**
 * POST runs queued jobs (docs/jobs.md): called with the secret key by pg_cron's dispatcher and
 * after each enqueue. Answers what it did; when its budget ran out with work left, it has pg_net
 * call it again after it answers. GET lists the kinds this deployment runs, for operators to
 * compare with private.job_kinds.
 */
export const handler = endpoint(['GET', 'POST'], async (request) => {
  if (!(await hasSecretKey(request))) throw new AppError('UNAUTHORIZED', 'The jobs worker needs the secret key.');
  if (request.method === 'GET') {
    return json({ kinds: [...jobKinds.values()].map(({ name, role }) => ({ name, role })) });
  }
  const text = await request.text();
  const body = requestSchema.parse(text.trim() ? JSON.parse(text) : {});
  const sql = db();
  const summary = await runJobs({
    sql,
    storage: storage(),
    kinds: jobKinds,
    budget: new Budget(body.budget_ms ?? DEFAULT_WALL_MS, CPU_MS),
  });
  if (summary.more) await sql`select private.kick_jobs_worker()`;
  return json(summary);
});
