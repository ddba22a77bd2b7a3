import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';
import { enqueue, finished, waitForJob } from './helpers.ts';

/** What operators see of the queue, and cancel from the SQL editor. */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobops');
});

describe('the admin views', () => {
  it('show waiting and running jobs by kind, and the queues', async () => {
    const job = await enqueue(home.owner, home.orgId, 'diagnostics.probe', { steps: 10, step_ms: 300 });
    await waitForJob(job.id, (j) => j.status === 'running');
    const [backlog] = await adminSql<{ running: number }[]>`
      select running::int from admin.job_backlog where kind = 'diagnostics.probe' and priority = 'interactive'`;
    expect(backlog.running).toBeGreaterThanOrEqual(1);
    const queues = await adminSql`select queue_name from admin.job_queues order by queue_name`;
    expect(queues).toEqual([{ queue_name: 'jobs' }, { queue_name: 'jobs_scheduled' }]);

    const [canceled] = await adminSql`select status from admin.cancel_job(${job.id})`;
    expect(canceled).toEqual({ status: 'canceled' });
    expect((await waitForJob(job.id, finished)).status).toBe('canceled');
  });

  it('answer JOB_NOT_FOUND for a job that does not exist', async () => {
    await expect(adminSql`select admin.cancel_job(gen_random_uuid())`).rejects.toMatchObject({
      message: 'JOB_NOT_FOUND',
    });
  });
});

describe('the job kinds', () => {
  it('are the same in the worker and in private.job_kinds, with the same roles', async () => {
    const response = await fetch(`${target.url}/functions/v1/jobs-worker`, {
      headers: { authorization: `Bearer ${target.serviceKey}`, apikey: target.serviceKey },
    });
    expect(response.status).toBe(200);
    const { kinds } = (await response.json()) as { kinds: { name: string; role: string }[] };
    const inSql = await adminSql`select name, role::text from private.job_kinds order by name`;
    expect([...kinds].sort((a, b) => a.name.localeCompare(b.name))).toEqual(inSql);
  });
});
