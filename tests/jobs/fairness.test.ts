import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { enqueue, finished, waitForJob } from './helpers.ts';

/**
 * One organization's flood of jobs does not starve another's: each organization runs at most
 * private.job_org_concurrency() jobs at once, and the queue is scanned past the ones that wait.
 */

let flooding: Household;
let other: Household;

beforeAll(async () => {
  [flooding, other] = await Promise.all([signUpHousehold('flooding'), signUpHousehold('patient')]);
});

describe('fairness between organizations', () => {
  it('runs another organization’s job while one organization’s flood waits its turn', async () => {
    const [{ limit }] = await adminSql<{ limit: number }[]>`select private.job_org_concurrency() as limit`;
    // 16 jobs of about a second each: with `limit` at a time, the flood takes 16 / limit seconds at least.
    const flood = [];
    for (let i = 0; i < 16; i++) {
      flood.push(await enqueue(flooding.owner, flooding.orgId, 'diagnostics.probe', { steps: 2, step_ms: 500 }));
    }
    const job = await enqueue(other.owner, other.orgId, 'diagnostics.probe', { steps: 1 });

    // The flooding organization never runs more than its limit at once.
    let mostRunning = 0;
    const watch = setInterval(async () => {
      const [{ running }] = await adminSql<{ running: number }[]>`
        select count(*)::int as running from public.jobs where org_id = ${flooding.orgId} and status = 'running'`;
      mostRunning = Math.max(mostRunning, running);
    }, 100);
    try {
      const done = await waitForJob(job.id, finished);
      expect(done.status).toBe('succeeded');
      // When the other organization's job is done, most of the flood still waits.
      const [{ waiting }] = await adminSql<{ waiting: number }[]>`
        select count(*)::int as waiting from public.jobs
        where id = any(${flood.map((j) => j.id)}::uuid[]) and status = 'queued'`;
      expect(waiting).toBeGreaterThanOrEqual(16 - 2 * limit);
      await Promise.all(flood.map((j) => waitForJob(j.id, finished, 90_000)));
    } finally {
      clearInterval(watch);
    }
    expect(mostRunning).toBeGreaterThan(0);
    expect(mostRunning).toBeLessThanOrEqual(limit);
    const states = await adminSql`select distinct status::text from public.jobs where org_id = ${flooding.orgId}`;
    expect(states).toEqual([{ status: 'succeeded' }]);
  });
});
