import { beforeAll, describe, expect, it } from 'vitest';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { enqueue, finished, jobRow, probeSteps, waitForJob } from './helpers.ts';

/** Cancel ends a queued job at once and a running one at its next step boundary. */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobcancel');
});

describe('cancel_job', () => {
  it('stops a running job at its next step: the step under way ends, no later step starts', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 30, step_ms: 300 });
    await waitForJob(job.id, (j) => j.progress >= 2 / 30);

    const { data, error } = await home.owner.client.rpc('cancel_job', { job_id: job.id });
    expect(error).toBeNull();
    expect(data).toMatchObject({ status: 'canceled' });
    const stepsAtCancel = (await probeSteps(job.id)).length;

    // Long enough for several more steps, had the job gone on.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const steps = await probeSteps(job.id);
    expect(steps.length).toBeLessThanOrEqual(stepsAtCancel + 1);
    expect(steps.length).toBeLessThan(30);
    expect(await jobRow(job.id)).toMatchObject({ status: 'canceled', result: null });
  });

  it('ends a job that waits for its retry before it runs again', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 1, fail_times: 3 });
    await waitForJob(job.id, (j) => j.status === 'queued' && j.attempts === 1);
    await home.owner.client.rpc('cancel_job', { job_id: job.id });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const row = await waitForJob(job.id, finished);
    expect(row).toMatchObject({ status: 'canceled', attempts: 1 });
    expect((await probeSteps(job.id)).map((s) => [s.step, s.runs])).toEqual([[0, 1]]);
  });
});
