import { beforeAll, describe, expect, it } from 'vitest';
import { rolledBack } from '../helpers/db.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { callWorker, enqueue, finished, probeSteps, waitForJob } from './helpers.ts';

/**
 * A worker that stops in the middle of a step, after the step wrote but before its checkpoint
 * was saved (killed, timed out): the probe hangs once at step 3 past its step limit, the worker
 * gives the step up as the platform would kill it, the message reappears when the lease ends,
 * and another invocation runs step 3 again from the checkpoint of step 2.
 */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobrecovery');
});

describe('a worker that dies mid-step', () => {
  it('loses nothing: the job resumes from its checkpoint, each step’s row written once', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 5, hang_at_step: 3 });

    const done = await waitForJob(job.id, finished, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', result: { steps: 5 }, progress: 1 });
    // The stall counted as an attempt, and said so.
    expect(done.attempts).toBe(2);
    expect(done.last_error_code).toBe('JOB_STALLED');
    // No step missing, none twice; step 3 ran again (its first run's write was kept), the others once.
    expect((await probeSteps(job.id)).map((s) => [s.step, s.runs])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 1],
      [5, 1],
    ]);
  });

  it('answers 401 without the secret key', async () => {
    const response = await callWorker({}, 'not-the-key');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('hands a job on when its time budget ends between steps, and the job still runs each step once', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 6, step_ms: 150 });
    // Every invocation (the kick, the dispatcher, this one) stops starting steps when its budget
    // is spent and releases its job to the next; this one's budget ends after a step or two.
    const response = await callWorker({ budget_ms: 200 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jobs: expect.any(Number), steps: expect.any(Number) });
    const done = await waitForJob(job.id, finished);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await probeSteps(job.id)).map((s) => s.runs)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('refuses a budget it does not allow', async () => {
    const response = await callWorker({ budget_ms: 10_000_000 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('cannot save once its lease ran out and another worker took the job', async () => {
    // Two workers in one transaction that is rolled back (no real worker sees this job): the
    // first claims with a lease of 0 s, so the job's message is visible again at once; the
    // second takes it over. Other suites' jobs may be claimed on the way, and are let go.
    const outcome = await rolledBack(async (sql) => {
      const [job] = await sql<{ id: string }[]>`
        select id from private.submit_job(${home.orgId}, 'diagnostics.probe', '{"steps": 2}', null, 'interactive', null)`;
      const claimUntilOurs = async () => {
        for (let i = 0; i < 50; i++) {
          const [claim] = await sql<{ job_id: string; lease: string }[]>`
            select job_id, lease from private.claim_job(0)`;
          if (claim?.job_id === job.id) return claim.lease;
        }
        throw new Error('the job was never claimed');
      };
      const first = await claimUntilOurs();
      const second = await claimUntilOurs();
      const save = (lease: string) =>
        sql<{ outcome: string }[]>`
          select private.save_job_step(${job.id}, ${lease}, '{"next": 2}', 0.5, 'step 1 of 2', 5) as outcome`;
      const [late] = await save(first);
      const [current] = await save(second);
      const [row] = await sql`select attempts, last_error_code from public.jobs where id = ${job.id}`;
      return { late: late.outcome, current: current.outcome, ...row };
    });
    expect(outcome).toEqual({ late: 'lost', current: 'running', attempts: 2, last_error_code: 'JOB_STALLED' });
  });
});
