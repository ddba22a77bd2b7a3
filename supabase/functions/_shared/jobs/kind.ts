import type { z } from 'zod';
import type postgres from 'postgres';

/**
 * The contract between the jobs runner (branch `jobs`, which owns this folder) and the kinds it
 * runs (/work/notes/jobs-contract.md). The exports branch carries this copy so its kinds type-check;
 * the lead reconciles it with the runner's at merge.
 */

/**
 * How a step writes and reads Storage objects (the runner implements it with the Storage REST API
 * and the secret key, which bypasses storage policies). The exports branch needs these four.
 */
export interface StepStorage {
  /** Creates or overwrites `path` (so a step that runs again writes the same object again). */
  upload(
    bucket: string,
    path: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options?: { contentType?: string; size?: number },
  ): Promise<void>;
  download(bucket: string, path: string): Promise<Uint8Array>;
  remove(bucket: string, paths: string[]): Promise<void>;
}

/** What a step may use. */
export interface StepContext {
  jobId: string;
  orgId: string;
  /** The auth user id of who asked; null for scheduled jobs. */
  requestedBy: string | null;
  /** Direct connection (_shared/db.ts): bypasses RLS, always filter by orgId. */
  sql: postgres.Sql;
  storage: StepStorage;
  /** Stop early and checkpoint when this says time is short (about 2 s CPU budget per step). */
  deadline: { remainingMs(): number };
}

export interface StepResult<S, R> {
  /** The checkpoint to resume from; persisted before the next step runs. Must be JSON. */
  state: S;
  progress: { fraction: number; message: string };
  /** Set on the last step: the job succeeds with this JSON result (counts, a Storage path). */
  done?: R;
}

export interface JobKind<P, S, R> {
  /** e.g. 'export.csv' */
  name: string;
  /** Minimum organization role to enqueue: 'viewer' | 'member' | 'admin' | 'owner'. */
  role: string;
  params: z.ZodType<P>;
  initialState(params: P): S;
  /**
   * One step of work that fits a function invocation. It must be idempotent per state: if the
   * worker dies after the step wrote something but before the new state was saved, the same step
   * runs again from the old state and must not write anything twice (overwrite by a deterministic
   * name, upsert by key).
   */
  step(ctx: StepContext, params: P, state: S): Promise<StepResult<S, R>>;
}
