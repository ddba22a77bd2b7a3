import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';

/**
 * pg_cron's SQL API as migrations use it: scheduling, altering, running and recording jobs.
 * On the local stack this is the devstack's stand-in and workers; against a hosted project, the
 * real extension. Names are unique per run, so the suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const POLL = { timeout: 15_000, interval: 200 };

describe('cron, the pg_cron API', () => {
  const prefix = `platform_test_${run}`;
  const probe = `public.cron_probe_${run}`;
  const jobs: string[] = [];

  /** cron.schedule with a name unique to this run; returns the job id. */
  const schedule = async (name: string, when: string, command: string): Promise<string> => {
    const [{ id }] = await adminSql`select cron.schedule(${`${prefix}_${name}`}, ${when}, ${command})::text as id`;
    jobs.push(id);
    return id;
  };

  beforeAll(async () => {
    await adminSql.unsafe(`create table ${probe} (n serial)`);
  });

  afterAll(async () => {
    await adminSql`delete from cron.job where jobid = any(${jobs}::bigint[])`;
    await adminSql`delete from cron.job_run_details where jobid = any(${jobs}::bigint[])`;
    await adminSql.unsafe(`drop table if exists ${probe}`);
  });

  const runsOf = async (id: string, status: string) =>
    adminSql`select return_message from cron.job_run_details where jobid = ${id} and status = ${status}`;

  it('upserts a job by name and unschedules it by name', async () => {
    const first = await schedule('named', '0 3 * * *', 'select 1');
    const second = await schedule('named', '30 4 * * *', 'select 2');
    expect(second).toBe(first);

    const [job] = await adminSql`
      select schedule, command, active, username = current_user as mine, database = current_database() as here
      from cron.job where jobid = ${first}`;
    expect(job).toEqual({ schedule: '30 4 * * *', command: 'select 2', active: true, mine: true, here: true });

    const name = `${prefix}_named`;
    const [{ removed }] = await adminSql`select cron.unschedule(${name}) as removed`;
    expect(removed).toBe(true);
    await expect(adminSql`select cron.unschedule(${name})`).rejects.toThrow(
      `could not find valid entry for job '${name}'`,
    );
  });

  it('accepts the schedules pg_cron accepts and rejects the others as pg_cron does', async () => {
    const valid = ['*/5 9-17 * jan-mar mon-fri', '0 0 $ * *', '@daily', '59 seconds', '1 second', '0 12 * * 7'];
    for (const [index, when] of valid.entries()) {
      const id = await schedule(`valid_${index}`, when, 'select 1');
      await adminSql`select cron.unschedule(${id}::bigint)`;
    }
    const invalid = ['1 minute', '60 seconds', '0 seconds', '* * * *', '61 * * * *', '1/5 * * * *', '@fortnightly'];
    for (const when of invalid) {
      await expect(schedule('invalid', when, 'select 1')).rejects.toThrow(`invalid schedule: ${when}`);
    }
  });

  it('alter_job changes only the attributes it is given', async () => {
    const id = await schedule('altered', '0 3 * * *', 'select 1');

    await adminSql`select cron.alter_job(${id}, active := false)`;
    await adminSql`select cron.alter_job(${id}, command := 'select 3')`;
    const [job] = await adminSql`select schedule, command, active from cron.job where jobid = ${id}`;
    expect(job).toEqual({ schedule: '0 3 * * *', command: 'select 3', active: false });

    await expect(adminSql`select cron.alter_job(${id}, schedule := 'every day')`).rejects.toThrow(
      'invalid schedule: every day',
    );
    await expect(adminSql`select cron.alter_job(-1, active := true)`).rejects.toThrow(
      "Job -1 does not exist or you don't own it",
    );

    await adminSql`select cron.unschedule(${id}::bigint)`;
    await expect(adminSql`select cron.unschedule(${id}::bigint)`).rejects.toThrow(
      `could not find valid entry for job ${id}`,
    );
  });

  it('runs a job scheduled every second and records each run as succeeded', async () => {
    const id = await schedule('every_second', '1 seconds', `insert into ${probe} default values`);
    await expect.poll(async () => (await runsOf(id, 'succeeded')).length, POLL).toBeGreaterThanOrEqual(2);
    await adminSql`select cron.unschedule(${id}::bigint)`;

    const [{ inserted }] = await adminSql.unsafe(`select count(*)::int as inserted from ${probe}`);
    expect(inserted).toBeGreaterThanOrEqual(2);
    const runs = await adminSql`
      select distinct status, return_message, job_pid is not null as has_pid, end_time >= start_time as ordered
      from cron.job_run_details where jobid = ${id} and status <> 'running'`;
    expect(runs).toEqual([{ status: 'succeeded', return_message: 'INSERT 0 1', has_pid: true, ordered: true }]);
  });

  it("the migrations' cron-history-purge job keeps a day of successful runs and a week of failed ones", async () => {
    const [job] = await adminSql`select schedule, command from cron.job where jobname = 'cron-history-purge'`;
    expect(job.schedule).toBe('29 * * * *');
    const left = await rolledBack(async (sql) => {
      await sql`insert into cron.job_run_details (jobid, command, status, start_time, end_time)
                select -1, command, status, now() - age, now() - age
                from (values ('ok 2 days', 'succeeded', interval '2 days'), ('ok 2 hours', 'succeeded', interval '2 hours'),
                             ('failed 6 days', 'failed', interval '6 days'), ('failed 8 days', 'failed', interval '8 days'))
                     as runs (command, status, age)`;
      await sql.unsafe(job.command);
      return sql`select command from cron.job_run_details where jobid = -1 order by command`;
    });
    expect(left.map((r) => r.command)).toEqual(['failed 6 days', 'ok 2 hours']);
  });

  it('records a failing job as failed with its error', async () => {
    const id = await schedule('failing', '1 seconds', 'select 1/0');
    await expect.poll(async () => (await runsOf(id, 'failed'))[0]?.return_message, POLL).toContain('division by zero');
    await adminSql`select cron.unschedule(${id}::bigint)`;
  });
});
