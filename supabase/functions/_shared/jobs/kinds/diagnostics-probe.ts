import { z } from 'zod';
import { defineKind } from '../kind.ts';

/** How long a probe step may take before the worker gives it up: short, so a check is quick. */
const STEP_TIMEOUT_MS = 3000;

const params = z.strictObject({
  /** How many steps to run; each leaves a row in private.diagnostic_probe_steps. */
  steps: z.int().min(1).max(1000).default(3),
  /**
   * Fail this many times first, counted across retries (step 0's row in
   * private.diagnostic_probe_steps): 4 or more ends dead after the kind's 4 attempts, and an
   * operator's retry then goes on counting.
   */
  fail_times: z.int().min(0).max(25).default(0),
  /** Sleep this long in each step, to watch progress or fill the organization's running slots. */
  step_ms: z.int().min(0).max(2000).default(0),
  /** Hang once at this step, after writing its row, past the step time limit: the worker gives it up and the queue recovers it. */
  hang_at_step: z.int().min(1).optional(),
});

type Params = z.infer<typeof params>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An operator's diagnostic of the jobs machinery on any project: that steps run in order and
 * report progress, that failures are retried with growing delays and end dead, that a job whose
 * worker stops mid-step resumes from its checkpoint and writes each step's row once, and that a
 * running job can be canceled. Members may run it in their organization (docs/jobs.md).
 */
export const diagnosticsProbe = defineKind({
  name: 'diagnostics.probe',
  role: 'member',
  params,
  stepTimeoutMs: STEP_TIMEOUT_MS,
  initialState: (_params: Params) => ({ next: 1 }),
  async step(ctx, p, state) {
    if (p.fail_times > 0) {
      const [failure] = await ctx.sql<{ runs: number }[]>`
        insert into private.diagnostic_probe_steps as s (job_id, org_id, step)
        values (${ctx.jobId}, ${ctx.orgId}, 0)
        on conflict (job_id, step) do update set runs = s.runs + 1, last_ran_at = clock_timestamp()
          where s.runs < ${p.fail_times}
        returning runs`;
      if (failure) throw new Error(`diagnostics.probe fails ${failure.runs} of ${p.fail_times} times, as asked`);
    }
    const step = state.next;
    // Upsert by (job, step): a step that runs again after a lost checkpoint counts a run, not a row.
    const [mark] = await ctx.sql<{ runs: number }[]>`
      insert into private.diagnostic_probe_steps (job_id, org_id, step)
      values (${ctx.jobId}, ${ctx.orgId}, ${step})
      on conflict (job_id, step) do update
        set runs = diagnostic_probe_steps.runs + 1, last_ran_at = clock_timestamp()
      returning runs`;
    if (p.step_ms > 0) await sleep(p.step_ms);
    if (step === p.hang_at_step && mark?.runs === 1) await sleep(STEP_TIMEOUT_MS * 10);
    return {
      state: { next: step + 1 },
      progress: { fraction: step / p.steps, message: `step ${step} of ${p.steps}` },
      done: step === p.steps ? { steps: p.steps } : undefined,
    };
  },
});
