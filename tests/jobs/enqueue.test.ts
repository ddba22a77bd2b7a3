import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers, type SharedHousehold } from '../helpers/organizations.ts';
import { enqueue, finished, jobRow, probeSteps, waitForJob } from './helpers.ts';

/** Enqueuing through the Data API, idempotency keys, and a job run to the end by the worker. */

let home: SharedHousehold;

beforeAll(async () => {
  home = await householdWithMembers('jobs');
});

describe('enqueue_job', () => {
  it('queues a job that the worker runs step by step to its result, and every member reads it', async () => {
    const job = await enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 3 });
    expect(job).toMatchObject({ status: 'queued', kind: 'diagnostics.probe', requested_by: home.member.user.id });
    expect(job.max_attempts).toBe(4);

    const done = await waitForJob(job.id, finished);
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, attempts: 1, result: { steps: 3 } });
    expect((await probeSteps(job.id)).map((s) => [s.step, s.runs])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);

    const { data, error } = await home.viewer.client.from('jobs').select('id, status, result').eq('id', job.id);
    expect(error).toBeNull();
    expect(data).toEqual([{ id: job.id, status: 'succeeded', result: { steps: 3 } }]);
  });

  it('returns the same job for the same idempotency key, and refuses the key for other parameters', async () => {
    const key = `probe-${randomUUID()}`;
    const [first, second] = await Promise.all([
      enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 1 }, key),
      enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 1 }, key),
    ]);
    expect(second.id).toBe(first.id);
    const [{ count }] = await adminSql`select count(*)::int from public.jobs where idempotency_key = ${key}`;
    expect(count).toBe(1);

    const again = await home.member.client.rpc('enqueue_job', {
      org_id: home.orgId,
      kind: 'diagnostics.probe',
      params: { steps: 2 },
      idempotency_key: key,
    });
    expect(again.error).toMatchObject({ code: 'PT409', message: 'IDEMPOTENCY_CONFLICT' });
    // The key returns the job however far it has got: here after it finished.
    await waitForJob(first.id, finished);
    expect((await enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 1 }, key)).id).toBe(first.id);
  });

  it('refuses a kind no worker knows, and parameters that are not an object', async () => {
    const unknown = await home.owner.client.rpc('enqueue_job', { org_id: home.orgId, kind: 'export.nothing' });
    expect(unknown.error).toMatchObject({ code: 'PT400', message: 'JOB_KIND_UNKNOWN' });
    const notObject = await home.owner.client.rpc('enqueue_job', {
      org_id: home.orgId,
      kind: 'diagnostics.probe',
      params: [1, 2] as never,
    });
    expect(notObject.error).toMatchObject({ code: 'PT400', message: 'JOB_PARAMS_INVALID' });
  });

  it('fails a job whose parameters its kind refuses at once, without retrying', async () => {
    const job = await enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 0, colour: 'red' });
    const done = await waitForJob(job.id, finished);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, last_error_code: 'JOB_PARAMS_INVALID' });
    expect(await probeSteps(job.id)).toEqual([]);
    expect((await jobRow(job.id)).finished_at).not.toBeNull();
  });
});
