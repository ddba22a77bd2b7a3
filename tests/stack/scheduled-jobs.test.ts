import { afterAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';

/**
 * The heartbeat job is scheduled by a migration with cron.schedule; on the local stack the
 * devstack's workers play pg_cron and pg_net. Run it every second for the test, then restore it.
 */
describe('the health heartbeat scheduled in a migration', () => {
  const restore: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of restore) await step();
  });

  it('is registered with cron.schedule', async () => {
    const [job] = await adminSql`select schedule, command, active from cron.job where jobname = 'health-heartbeat'`;
    expect(job).toMatchObject({ schedule: '*/5 * * * *', active: true });
    expect(job.command).toContain('/functions/v1/health');
  });

  it('runs on the stack and calls the health function through net.http_post', async () => {
    const [{ jobid, schedule }] =
      await adminSql`select jobid, schedule from cron.job where jobname = 'health-heartbeat'`;
    const [{ since }] = await adminSql`select now() as since`;
    await adminSql`select cron.alter_job(${jobid}, schedule := '1 seconds')`;
    restore.push(() => adminSql`select cron.alter_job(${jobid}, schedule := ${schedule})`);

    await expect
      .poll(
        async () =>
          (
            await adminSql`
              select status from cron.job_run_details
              where jobid = ${jobid} and start_time >= ${since} and status in ('succeeded', 'failed')
              order by start_time limit 1`
          )[0]?.status,
        { timeout: 15_000, interval: 250 },
      )
      .toBe('succeeded');

    const answer = async () =>
      (
        await adminSql`
          select status_code, content from net._http_response
          where created >= ${since} and content like '%"status":"ok"%'
          order by created limit 1`
      )[0];
    await expect.poll(answer, { timeout: 15_000, interval: 250 }).toBeDefined();
    const { status_code, content } = await answer();
    expect(status_code).toBe(200);
    // The job sends no key, so the function says only that it is up.
    expect(JSON.parse(content)).toEqual({ status: 'ok' });
  });
});
