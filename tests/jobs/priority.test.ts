import type postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { finished, jobRow, waitForJob } from './helpers.ts';

/** Scheduled jobs (enqueued by pg_cron jobs through private.submit_job) run after interactive ones. */

let home: Household;

beforeAll(async () => {
  home = await signUpHousehold('jobpriority');
});

const submit = (
  sql: postgres.Sql | postgres.TransactionSql,
  priority: 'interactive' | 'scheduled',
  userId: string | null,
) =>
  sql<{ id: string }[]>`
    select id from private.submit_job(${home.orgId}, 'diagnostics.probe', '{"steps": 1}', null, ${priority}, ${userId})`;

describe('priorities', () => {
  it('hand out an interactive job before a scheduled one enqueued earlier', async () => {
    // In a transaction that is rolled back, so no worker sees these two; other suites' committed
    // jobs may be in the queues too, and the first claim must still be an interactive job.
    const claimed = await rolledBack(async (sql) => {
      const [scheduled] = await submit(sql, 'scheduled', null);
      const [interactive] = await submit(sql, 'interactive', home.owner.user.id);
      const [first] = await sql<{ job_id: string }[]>`select job_id from private.claim_job(30)`;
      const [{ priority }] = await sql`select priority::text from public.jobs where id = ${first.job_id}`;
      return { scheduled: scheduled.id, interactive: interactive.id, first: first.job_id, priority };
    });
    expect(claimed.first).not.toBe(claimed.scheduled);
    expect(claimed.priority).toBe('interactive');
  });

  it('run scheduled jobs too, with no one who asked', async () => {
    const [job] = await submit(adminSql, 'scheduled', null);
    const done = await waitForJob(job.id, finished);
    expect(done).toMatchObject({ status: 'succeeded', requested_by: null, result: { steps: 1 } });
    expect((await jobRow(job.id)).kind).toBe('diagnostics.probe');
  });
});
