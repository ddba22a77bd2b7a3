import { type ErrorCode, errorCodes } from '@westwallet/shared';
import type postgres from 'postgres';
import { z } from 'zod';
import type { Budget } from './budget.ts';
import { JobFailure, type RegisteredKind, type StepContext } from './kind.ts';
import type { StepStorage } from './storage.ts';

/** A job as private.claim_job hands it over, with the lease that guards every later write. */
interface ClaimedJob {
  job_id: string;
  org_id: string;
  kind: string;
  params: unknown;
  attempts: number;
  requested_by: string | null;
  state: unknown;
  lease: string;
}

/** What happened to one job in this invocation. */
export type Outcome =
  | 'succeeded'
  | 'failed'
  | 'dead'
  | 'queued' // failed this attempt, waits for its retry
  | 'canceled'
  | 'released' // time is up: the next invocation goes on from the checkpoint
  | 'abandoned' // a step ran past its limit: the queue gives it to a worker again after the lease
  | 'lost'; // another worker took it over after this one's lease ran out

export interface RunOptions {
  sql: postgres.Sql;
  storage: StepStorage;
  kinds: ReadonlyMap<string, RegisteredKind>;
  budget: Budget;
}

export interface RunSummary {
  jobs: number;
  steps: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Whether the budget ended with work possibly left; the worker then calls itself again. */
  more: boolean;
}

/**
 * How long a step of `kind` has before it should checkpoint: its own `stepBudgetMs`, or the CPU an
 * invocation gets, with room to spare.
 */
export function stepBudgetOf(kind: Pick<RegisteredKind, 'stepBudgetMs'>): number {
  return kind.stepBudgetMs ?? 1500;
}
/** No new step starts with less than this left. */
const MIN_STEP_START_MS = 300;
const DEFAULT_STEP_TIMEOUT_MS = 20_000;
/** A lease outlasts the step it covers by this much, so a slow save is not taken for a death. */
const LEASE_MARGIN_S = 2;

/** How long a job's message stays hidden while a step of `kind` runs: past its time limit. */
function leaseSeconds(kind: RegisteredKind): number {
  return Math.ceil((kind.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS) / 1000) + LEASE_MARGIN_S;
}

class StepTimeout extends Error {}

/** Runs jobs one step at a time until the queue has nothing that may run or the budget is spent. */
export async function runJobs(options: RunOptions): Promise<RunSummary> {
  const { sql, budget } = options;
  const summary: RunSummary = { jobs: 0, steps: 0, outcomes: {}, more: false };
  // A claim does not know the kind yet: its lease covers the first step of the slowest kind.
  const claimLease = Math.max(
    Math.ceil(DEFAULT_STEP_TIMEOUT_MS / 1000) + LEASE_MARGIN_S,
    ...[...options.kinds.values()].map(leaseSeconds),
  );
  while (budget.remainingMs() > MIN_STEP_START_MS) {
    const [job] = await sql<ClaimedJob[]>`
      select job_id, org_id, kind, params, attempts, requested_by, state, lease
      from private.claim_job(${claimLease})`;
    if (!job) return summary;
    summary.jobs++;
    const outcome = await runJob(job, options, summary);
    summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
  }
  summary.more = true;
  return summary;
}

async function runJob(job: ClaimedJob, options: RunOptions, summary: RunSummary): Promise<Outcome> {
  const { sql, budget } = options;
  const kind = options.kinds.get(job.kind);
  if (!kind) return fail(sql, job, 'JOB_KIND_UNKNOWN', `This worker has no kind ${job.kind}.`, false);
  const parsed = kind.params.safeParse(job.params);
  if (!parsed.success) return fail(sql, job, 'JOB_PARAMS_INVALID', z.prettifyError(parsed.error), false);
  const params = parsed.data;
  const timeoutMs = kind.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const stepBudgetMs = stepBudgetOf(kind);
  const lease = leaseSeconds(kind);
  let state = job.state ?? kind.initialState(params);

  for (;;) {
    const stepStarted = performance.now();
    const context: StepContext = {
      jobId: job.job_id,
      orgId: job.org_id,
      requestedBy: job.requested_by,
      attempt: job.attempts,
      sql,
      storage: options.storage,
      deadline: {
        remainingMs: () => Math.min(stepBudgetMs - (performance.now() - stepStarted), budget.remainingMs()),
      },
    };
    let result: Awaited<ReturnType<RegisteredKind['step']>>;
    try {
      result = await withTimeout(kind.step(context, params, state), timeoutMs);
      summary.steps++;
    } catch (error) {
      if (error instanceof StepTimeout) {
        // As if the platform had killed the invocation: nothing is saved, the lease runs out and
        // the step runs again from the last checkpoint.
        console.warn(`jobs-worker: a step of job ${job.job_id} (${job.kind}) ran past ${timeoutMs} ms; giving it up`);
        return 'abandoned';
      }
      if (error instanceof JobFailure) return fail(sql, job, error.code, error.message, false);
      console.error(`jobs-worker: a step of job ${job.job_id} (${job.kind}) failed:`, error);
      // Members read the job's message; what went wrong inside is for operators (admin.dead_jobs).
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return fail(sql, job, 'JOB_STEP_FAILED', 'A step failed; it is tried again later.', true, detail);
    }
    if (result.done !== undefined) {
      const [row] = await sql<{ outcome: Outcome }[]>`
        select private.finish_job(${job.job_id}, ${job.lease}, ${json(sql, result.done)}) as outcome`;
      return row.outcome;
    }
    const [row] = await sql<{ outcome: Outcome | 'running' }[]>`
      select private.save_job_step(${job.job_id}, ${job.lease}, ${json(sql, result.state)},
        ${result.progress.fraction}, ${result.progress.message}, ${lease}) as outcome`;
    if (row.outcome !== 'running') return row.outcome;
    state = result.state;
    if (budget.remainingMs() <= MIN_STEP_START_MS) {
      await sql`select private.release_job(${job.job_id}, ${job.lease})`;
      return 'released';
    }
  }
}

async function fail(
  sql: postgres.Sql,
  job: ClaimedJob,
  code: ErrorCode,
  message: string,
  retryable: boolean,
  detail: string | null = null,
): Promise<Outcome> {
  const known: string = code in errorCodes ? code : 'JOB_STEP_FAILED';
  const [row] = await sql<{ outcome: Outcome }[]>`
    select private.fail_job(${job.job_id}, ${job.lease}, ${known}, ${message}, ${detail}, ${retryable}) as outcome`;
  return row.outcome;
}

/** A step's state or result as a jsonb parameter; undefined (a kind that keeps no state) is null. */
function json(sql: postgres.Sql, value: unknown) {
  return sql.json((value ?? null) as postgres.JSONValue);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
