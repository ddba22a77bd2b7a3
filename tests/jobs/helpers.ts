import { expect } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

export interface Job {
  id: string;
  org_id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'dead';
  progress: number;
  progress_message: string | null;
  attempts: number;
  max_attempts: number;
  last_error_code: string | null;
  result: unknown;
  requested_by: string | null;
  finished_at: string | null;
}

/** Enqueues through the Data API as `user`, as the app does; throws on an error. */
export async function enqueue(
  user: TestUser,
  orgId: string,
  kind: string,
  params: Record<string, unknown> = {},
  idempotencyKey?: string,
): Promise<Job> {
  const { data, error } = await user.client.rpc('enqueue_job', {
    org_id: orgId,
    kind,
    params: params as never,
    idempotency_key: idempotencyKey,
  });
  if (error) throw new Error(`enqueue_job(${kind}) failed: ${error.code} ${error.message}`);
  return data as unknown as Job;
}

/** The job as it stands, read behind the API. */
export async function jobRow(id: string): Promise<Job> {
  const [row] = await adminSql<Job[]>`
    select id, org_id, kind, status::text as status, progress::float8 as progress, progress_message, attempts,
           max_attempts, last_error_code, result, requested_by, finished_at
    from public.jobs where id = ${id}`;
  return row;
}

/** Polls the job (every 100 ms) until `done` says so; fails with the last row after `timeoutMs`. */
export async function waitForJob(id: string, done: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobRow(id);
    if (done(job)) return job;
    if (Date.now() > until) expect.fail(`job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const finished = (job: Job) => ['succeeded', 'failed', 'canceled', 'dead'].includes(job.status);

/** The rows a diagnostics.probe job wrote: one per step, with how often the step ran (step 0 counts failures). */
export async function probeSteps(jobId: string): Promise<{ step: number; runs: number; first_ran_at: Date }[]> {
  return adminSql`
    select step, runs, first_ran_at from private.diagnostic_probe_steps where job_id = ${jobId} order by step`;
}

/** The `job` broadcasts sent to the organization's topic about one job, oldest first. */
export async function broadcasts(orgId: string, jobId: string): Promise<Record<string, unknown>[]> {
  const rows = await adminSql<{ payload: Record<string, unknown> }[]>`
    select payload from realtime.messages
    where topic = ${`org:${orgId}`} and event = 'job' and payload ->> 'job_id' = ${jobId}
    order by inserted_at, id`;
  return rows.map((row) => row.payload);
}

/** Calls the worker function as the dispatcher does, with the secret key. */
export function callWorker(body: Record<string, unknown> = {}, key = target.serviceKey): Promise<Response> {
  return fetch(`${target.url}/functions/v1/jobs-worker`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, apikey: key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
