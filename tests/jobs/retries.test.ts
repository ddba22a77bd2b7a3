import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { broadcasts, enqueue, finished, probeSteps, waitForJob } from './helpers.ts';

/** Failing steps are retried with growing delays; after the last attempt the job is dead until an operator retries it. */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobretries');
});

describe('a kind that keeps failing', () => {
  it('is retried with growing delays, ends dead after its attempts, and runs again when an operator retries it', async () => {
    // The probe fails its first 4 runs: all 4 attempts of its kind.
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 2, fail_times: 4 });
    const dead = await waitForJob(job.id, finished, 60_000);
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, last_error_code: 'JOB_STEP_FAILED' });

    // Every failure was broadcast with the time of the next attempt: delays within
    // [0.5, 1], [1, 2] and [2, 4] seconds (base 1 s, doubling, with jitter), within the
    // millisecond JavaScript dates keep.
    const retries = (await broadcasts(home.orgId, job.id)).filter((b) => b.status === 'queued' && b.last_error_code);
    expect(retries.map((b) => b.attempts)).toEqual([1, 2, 3]);
    const delays = retries.map((b) => (Date.parse(String(b.run_after)) - Date.parse(String(b.updated_at))) / 1000);
    expect(delays[0]).toBeGreaterThanOrEqual(0.499);
    expect(delays[0]).toBeLessThanOrEqual(1.001);
    expect(delays[1]).toBeGreaterThanOrEqual(0.999);
    expect(delays[1]).toBeLessThanOrEqual(2.001);
    expect(delays[2]).toBeGreaterThanOrEqual(1.999);
    expect(delays[2]).toBeLessThanOrEqual(4.001);
    expect((await probeSteps(job.id)).map((s) => [s.step, s.runs])).toEqual([[0, 4]]);

    // Operators see it...
    const [listed] = await adminSql`
      select id, status, attempts, error_detail from admin.dead_jobs where id = ${job.id}`;
    expect(listed).toEqual({
      id: job.id,
      status: 'dead',
      attempts: 4,
      error_detail: 'Error: diagnostics.probe fails 4 of 4 times, as asked',
    });
    // Members read the code and a message without the internals.
    const { data } = await home.owner.client.from('jobs').select('last_error_message').eq('id', job.id).single();
    expect(data?.last_error_message).not.toContain('diagnostics.probe fails');
    const [byKind] = await adminSql<{ dead: number }[]>`
      select dead::int from admin.job_failures_by_kind where kind = 'diagnostics.probe'`;
    expect(byKind.dead).toBeGreaterThanOrEqual(0.999);

    // ...and retry it: its attempts start over, and this time it succeeds.
    const [retried] = await adminSql`select status, attempts from admin.retry_job(${job.id})`;
    expect(retried).toEqual({ status: 'queued', attempts: 0 });
    const done = await waitForJob(job.id, finished);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, result: { steps: 2 } });
    expect((await probeSteps(job.id)).map((s) => [s.step, s.runs])).toEqual([
      [0, 4],
      [1, 1],
      [2, 1],
    ]);
  });

  it('refuses to retry a job that succeeded', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 1 });
    await waitForJob(job.id, finished);
    await expect(adminSql`select admin.retry_job(${job.id})`).rejects.toMatchObject({
      message: 'JOB_NOT_RETRYABLE',
    });
  });
});
