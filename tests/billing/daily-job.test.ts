import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { orgWithTag } from './helpers.ts';

/**
 * The daily billing job: expired trials and graces end in read-only mode, running ones are left
 * alone.
 */

describe('the daily job', () => {
  it('is scheduled with cron', async () => {
    const [job] = await adminSql`select schedule, command from cron.job where jobname = 'billing-deadlines'`;
    expect(job.command).toContain('private.enforce_billing_deadlines()');
  });

  it('ends an expired grace with SUBSCRIPTION_INACTIVE and leaves a running grace alone', async () => {
    const [ended, running] = await Promise.all([orgWithTag(), orgWithTag()]);
    await adminSql`update public.subscriptions set status = 'past_due', grace_until = now() - interval '1 minute'
                   where org_id = ${ended.org.id}`;
    await adminSql`update public.subscriptions set status = 'past_due', grace_until = now() + interval '3 days'
                   where org_id = ${running.org.id}`;
    const refused = await ended.member.client.from('tags').insert({ org_id: ended.org.id, name: 'x' });
    expect(refused.error?.message).toBe('SUBSCRIPTION_INACTIVE');
    await adminSql`select private.enforce_billing_deadlines()`;
    const rows = await adminSql`select org_id, status, read_only_reason from public.subscriptions
                                where org_id in ${adminSql([ended.org.id, running.org.id])}`;
    expect(rows.find((r) => r.org_id === ended.org.id)).toMatchObject({
      status: 'read_only',
      read_only_reason: 'grace_over',
    });
    expect(rows.find((r) => r.org_id === running.org.id)).toMatchObject({ status: 'past_due', read_only_reason: null });
    const allowed = await running.member.client.from('tags').insert({ org_id: running.org.id, name: 'x' });
    expect(allowed.error).toBeNull();
  });
});
