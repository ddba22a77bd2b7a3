import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { asRole } from '../helpers/db.ts';
import { addMember, householdWithMembers, type SharedHousehold } from '../helpers/organizations.ts';
import { enqueue, finished, waitForJob } from './helpers.ts';

/** Who may see, enqueue and cancel an organization's jobs. */

let home: SharedHousehold;
let outsider: TestUser;
let secondMember: TestUser;

beforeAll(async () => {
  [home, outsider] = await Promise.all([householdWithMembers('jobaccess'), signUpUser('outsider')]);
  secondMember = await addMember({ id: home.orgId, name: '', owner: home.owner }, 'member');
});

describe('jobs of an organization', () => {
  it('are hidden from a user of another organization, who can neither enqueue nor cancel there', async () => {
    const job = await enqueue(home.member, home.orgId, 'diagnostics.probe', { steps: 1 });
    const { data } = await outsider.client.from('jobs').select('id').eq('id', job.id);
    expect(data).toEqual([]);
    const enqueued = await outsider.client.rpc('enqueue_job', { org_id: home.orgId, kind: 'diagnostics.probe' });
    expect(enqueued.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
    const canceled = await outsider.client.rpc('cancel_job', { job_id: job.id });
    expect(canceled.error).toMatchObject({ code: 'PT404', message: 'JOB_NOT_FOUND' });
  });

  it('refuses a kind above the caller’s role: a viewer runs no probe, a member no rebuild', async () => {
    const probe = await home.viewer.client.rpc('enqueue_job', { org_id: home.orgId, kind: 'diagnostics.probe' });
    expect(probe.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const rebuild = await home.member.client.rpc('enqueue_job', {
      org_id: home.orgId,
      kind: 'maintenance.rebuild_totals',
    });
    expect(rebuild.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
  });

  it('lets a member cancel their own job but not another member’s, which an admin may cancel', async () => {
    const slow = { steps: 20, step_ms: 500 };
    const [own, others] = await Promise.all([
      enqueue(home.member, home.orgId, 'diagnostics.probe', slow),
      enqueue(secondMember, home.orgId, 'diagnostics.probe', slow),
    ]);
    const refused = await home.member.client.rpc('cancel_job', { job_id: others.id });
    expect(refused.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });

    const mine = await home.member.client.rpc('cancel_job', { job_id: own.id });
    expect(mine.error).toBeNull();
    expect(mine.data).toMatchObject({ id: own.id, status: 'canceled' });
    const byOwner = await home.owner.client.rpc('cancel_job', { job_id: others.id });
    expect(byOwner.data).toMatchObject({ id: others.id, status: 'canceled' });
    // Canceling what is over changes nothing.
    const again = await home.member.client.rpc('cancel_job', { job_id: own.id });
    expect(again.data).toMatchObject({ status: 'canceled' });
    expect((await waitForJob(own.id, finished)).status).toBe('canceled');
  });

  it('keeps the checkpoints and the queue out of members’ reach', async () => {
    const claims = { role: 'authenticated' as const, sub: home.owner.user.id };
    for (const query of [
      'select state from private.job_runs limit 1',
      'select * from pgmq.q_jobs limit 1',
      'select private.claim_job(5)',
    ]) {
      await expect(
        asRole(claims, (sql) => sql.unsafe(query)),
        query,
      ).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('refuses writes to the jobs table through the Data API', async () => {
    const { error } = await home.owner.client
      .from('jobs')
      .insert({ org_id: home.orgId, kind: 'diagnostics.probe', max_attempts: 25 });
    expect(error?.code).toBe('42501');
  });
});
