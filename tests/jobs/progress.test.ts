import { beforeAll, describe, expect, it } from 'vitest';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { broadcasts, enqueue, finished, waitForJob } from './helpers.ts';

/** Every status change and step's progress is broadcast to the organization's topic, for a live progress bar. */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobprogress');
});

describe('progress', () => {
  it('is broadcast to org:<id> as the job goes from queued through each step to its result', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 4 });
    await waitForJob(job.id, finished);

    const sent = await broadcasts(home.orgId, job.id);
    expect(sent[0]).toMatchObject({ status: 'queued', progress: 0, kind: 'diagnostics.probe' });
    expect(sent.at(-1)).toMatchObject({ status: 'succeeded', progress: 1, result: { steps: 4 } });
    const steps = sent.filter((b) => b.status === 'running' && b.progress_message);
    expect(steps.map((b) => [b.progress, b.progress_message])).toEqual([
      [0.25, 'step 1 of 4'],
      [0.5, 'step 2 of 4'],
      [0.75, 'step 3 of 4'],
    ]);
  });
});
