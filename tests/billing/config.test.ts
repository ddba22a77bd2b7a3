import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { anonClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql, asRole } from '../helpers/db.ts';
import { makePlatformAdmin } from './helpers.ts';

/**
 * One configuration, read by every signed-in user and changed only by platform admins, with
 * every change kept. Changes to the shared settings row run in rolled-back transactions
 * (asRole), so suites running alongside keep the defaults.
 */

let user: TestUser;
let operator: TestUser;
const claims = (who: TestUser) => ({ role: 'authenticated' as const, sub: who.user.id, email: who.email });

beforeAll(async () => {
  [user, operator] = await Promise.all([signUpUser('configreader'), signUpUser('configadmin')]);
  await makePlatformAdmin(operator.user.id);
});

describe('the configuration', () => {
  it('is read by signed-in users: settings and plans', async () => {
    const { data: settings } = await user.client.from('app_settings').select('*').single();
    expect(settings).toMatchObject({ trial_days: 30, grace_days: 7, max_members: 10 });
    expect(settings?.notification_defaults).toMatchObject({ email: true, digest: 'weekly' });
    const { data: plans } = await user.client
      .from('plans')
      .select('id, monthly_credits, max_members')
      .in('id', ['household', 'business']);
    expect(plans).toHaveLength(2);
  });

  it('is not readable anonymously', async () => {
    const { data, error } = await anonClient().from('plans').select('*');
    if (!error) expect(data).toEqual([]);
  });

  it('cannot be changed by a user, neither directly nor through the RPCs', async () => {
    const direct = await user.client.from('app_settings').update({ trial_days: 1 }).eq('id', true);
    expect(direct.error?.code).toBe('42501');
    const rpc = await user.client.rpc('update_app_settings', { changes: { trial_days: 1 } });
    expect(rpc.error).toMatchObject({ code: 'PT403', message: 'PLATFORM_ADMIN_REQUIRED' });
    const plan = await user.client.rpc('save_plan', { plan: { id: 'household', monthly_credits: 1_000_000 } });
    expect(plan.error?.message).toBe('PLATFORM_ADMIN_REQUIRED');
    const [row] = await adminSql`select monthly_credits from public.plans where id = 'household'`;
    expect(row.monthly_credits).toBe('200');
  });

  it('is changed by a platform admin; new organizations take the new trial; the change is recorded', async () => {
    const result = await asRole(claims(operator), async (sql) => {
      const [settings] = await sql`select * from public.update_app_settings('{"trial_days": 14, "grace_days": 3}')`;
      const [org] = await sql`select id from public.create_organization('Configured trial')`;
      const [trial] = await sql`select extract(epoch from trial_ends_at - trial_started_at)::int / 86400 as days
                                from public.subscriptions where org_id = ${org.id}`;
      await sql`reset role`;
      const [change] = await sql`select table_name, key, operation, old_values, new_values, actor_id, actor_role
                                 from private.config_changes order by id desc limit 1`;
      return { settings, trial, change };
    });
    expect(result.settings).toMatchObject({ trial_days: 14, grace_days: 3, updated_by: operator.user.id });
    expect(result.trial.days).toBe(14);
    expect(result.change).toEqual({
      table_name: 'app_settings',
      key: 'true',
      operation: 'UPDATE',
      old_values: { trial_days: 30, grace_days: 7 },
      new_values: { trial_days: 14, grace_days: 3 },
      actor_id: operator.user.id,
      actor_role: 'authenticated',
    });
  });

  it('refuses unknown settings and invalid values', async () => {
    const unknown = await operator.client.rpc('update_app_settings', { changes: { trial_dayz: 3 } });
    expect(unknown.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    const negative = await operator.client.rpc('update_app_settings', { changes: { grace_days: -1 } });
    expect(negative.error?.code).toBe('23514');
    const badDefaults = await operator.client.rpc('update_app_settings', {
      changes: { notification_defaults: { digest: 'hourly' } },
    });
    expect(badDefaults.error?.code).toBe('23514');
  });

  it('takes new plans and plan changes from a platform admin, through the API, and keeps them in the history', async () => {
    const id = `test-${randomUUID().slice(0, 8)}`;
    const created = await operator.client.rpc('save_plan', {
      plan: { id, name: 'Tested', stripe_price_id: 'price_test123', monthly_credits: 50 },
    });
    expect(created.error).toBeNull();
    expect(created.data).toMatchObject({ id, max_members: null, is_active: true });
    const changed = await operator.client.rpc('save_plan', { plan: { id, max_members: 7 } });
    expect(changed.data).toMatchObject({ id, name: 'Tested', monthly_credits: 50, max_members: 7 });

    const history = await adminSql`select operation, new_values, actor_id from private.config_changes
                                   where table_name = 'plans' and key = ${id} order by id`;
    expect(history.map((h) => h.operation)).toEqual(['INSERT', 'UPDATE']);
    expect(history[1]).toMatchObject({ new_values: { max_members: 7 }, actor_id: operator.user.id });
    await expect(adminSql`delete from private.config_changes where key = ${id}`).rejects.toMatchObject({
      message: 'AUDIT_LOG_APPEND_ONLY',
    });
  });
});
