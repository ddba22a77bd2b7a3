import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/** Finished jobs leave after their retention (30 days); dead ones and recent ones stay. */
describe('the nightly purge of finished jobs', () => {
  let orgId: string;

  beforeAll(async () => {
    ({ orgId } = await signUpHousehold('jobretention'));
  });

  async function job(status: string, finishedDaysAgo: number | null): Promise<string> {
    const [row] = await adminSql`
      insert into public.jobs (org_id, kind, status, max_attempts, finished_at)
      values (${orgId}, 'export.csv', ${status}, 5,
              case when ${finishedDaysAgo}::integer is null then null
                   else now() - make_interval(days => ${finishedDaysAgo}::integer) end)
      returning id`;
    return row.id;
  }

  it('removes succeeded, failed and canceled jobs past 30 days and keeps the rest', async () => {
    const old = await Promise.all([job('succeeded', 31), job('failed', 45), job('canceled', 31)]);
    const kept = await Promise.all([job('dead', 90), job('succeeded', 29), job('queued', null)]);
    // Its checkpoint goes with it (a message id no queue hands out).
    const msgId = -Math.floor(Math.random() * 1e12);
    await adminSql`insert into private.job_runs (job_id, org_id, queue, msg_id, state)
                   values (${old[0]}, ${orgId}, 'jobs', ${msgId}, '{}')`;

    const [{ purged }] = await adminSql`select private.purge_finished_jobs() as purged`;
    expect(purged).toBeGreaterThanOrEqual(3);
    const left = await adminSql`select id from public.jobs where org_id = ${orgId}`;
    expect(left.map((r) => r.id).sort()).toEqual([...kept].sort());
    const runs = await adminSql`select 1 from private.job_runs where job_id = ${old[0]}`;
    expect(runs).toHaveLength(0);
  });

  it('runs nightly', async () => {
    const [cron] = await adminSql`select schedule, command from cron.job where jobname = 'jobs-purge'`;
    expect(cron).toMatchObject({ schedule: '47 3 * * *', command: 'select private.purge_finished_jobs()' });
  });
});
