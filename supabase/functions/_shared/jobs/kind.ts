import type { ErrorCode } from '@westwallet/shared';
import type postgres from 'postgres';
import type { z } from 'zod';
import type { StepStorage } from './storage.ts';

/** The organization roles, lowest first (public.org_role). */
export type OrgRole = 'viewer' | 'member' | 'admin' | 'owner';

/** What a step may use. */
export interface StepContext {
  jobId: string;
  orgId: string;
  /** The auth user who asked; null for scheduled jobs and deleted users. */
  requestedBy: string | null;
  /** 1 on the first run; each retry, and each recovery from a worker that died, counts one more. */
  attempt: number;
  /** Direct connection (_shared/db.ts): bypasses row-level security, so always filter by orgId. */
  sql: postgres.Sql;
  /** Storage with the secret key (storage.ts): write results under `${orgId}/...` by deterministic names. */
  storage: StepStorage;
  /**
   * How long this step may still run: stop early and return a checkpoint when it gets short. A
   * step has about 1.5 s (the platform gives an invocation about 2 s of CPU), or its kind's
   * `stepBudgetMs`, less when the invocation's budget ends sooner.
   */
  deadline: { remainingMs(): number };
}

export interface StepResult<S, R> {
  /** The checkpoint to resume from; saved before the next step runs. Must be JSON. */
  state: S;
  progress: { fraction: number; message: string };
  /** Set on the last step: the job succeeds with this JSON result (counts, a Storage path). */
  done?: R;
}

export interface JobKind<P, S, R> {
  /** e.g. 'export.csv'; also a row of private.job_kinds (supabase/schemas/10_jobs/0030_job_kinds.sql). */
  name: string;
  /** Minimum organization role to enqueue; private.job_kinds says the same, and is what enqueue_job checks. */
  role: OrgRole;
  params: z.ZodType<P>;
  /**
   * How long one step may run before the worker gives it up as a platform would kill it (default
   * 20 s): its message reappears after the lease and the step runs again from the last checkpoint.
   */
  stepTimeoutMs?: number;
  /**
   * How long one step may run before it should checkpoint (default 1.5 s, about the CPU an
   * invocation gets). A kind whose steps wait on Postgres, spending little of the worker's CPU,
   * may take longer: each step end waits for the calls it has running, and saves a checkpoint.
   * The invocation's CPU and wall-clock budget still bound every step.
   */
  stepBudgetMs?: number;
  initialState(params: P): S;
  /**
   * One step of work that fits a function invocation. It must be idempotent per state: if the
   * worker dies after the step wrote something but before the new state was saved, the same step
   * runs again from the old state and must not write anything twice (overwrite by a deterministic
   * name, upsert by key).
   */
  step(ctx: StepContext, params: P, state: S): Promise<StepResult<S, R>>;
}

/** A kind as the registry holds it, its types erased. */
export type RegisteredKind = JobKind<unknown, unknown, unknown>;

/** Declares a kind with its types checked, for the registry in kinds.ts. */
export function defineKind<P, S, R>(kind: JobKind<P, S, R>): RegisteredKind {
  return kind as unknown as RegisteredKind;
}

/**
 * Thrown by a step for an error that retrying cannot fix (bad data, a missing record): the job
 * ends `failed` with this code at once. Any other error is retried after a backoff.
 */
export class JobFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}
