import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serviceClient, signUpUser } from '../helpers/clients.ts';
import { adminSql, asRole } from '../helpers/db.ts';
import { addMember, createOrganization, invite } from '../helpers/organizations.ts';
import { createPlan, expireTrial, makePlatformAdmin, subscribe } from './helpers.ts';

/**
 * Read-only mode is enforced by the database: once an organization is not in good standing,
 * every write to its data fails with a code, while reading, leaving and deleting still work.
 */

async function orgWithTag() {
  const org = await createOrganization('readonly');
  const member = await addMember(org, 'member');
  const { data: tag, error } = await org.owner.client
    .from('tags')
    .insert({ org_id: org.id, name: 'before' })
    .select()
    .single();
  if (error) throw error;
  return { org, member, tag };
}

async function referenceState(orgId: string) {
  const [{ name }] = await adminSql`select private.reference_sequence(${orgId}) as name`;
  const [{ state }] = await adminSql.unsafe(`select format('%s/%s', last_value, is_called) as state from ${name}`);
  return state as string;
}

describe('a new organization', () => {
  it('is trialing for the configured 30 days and may write', async () => {
    const org = await createOrganization('trial');
    const { data, error } = await org.owner.client.from('billing_status').select('*').eq('org_id', org.id).single();
    expect(error).toBeNull();
    expect(data).toMatchObject({
      state: 'trialing',
      trial_days_left: 30,
      is_paid: false,
      in_good_standing: true,
      refusal_code: null,
      max_members: 10,
    });
    const days = (Date.parse(String(data?.trial_ends_at)) - Date.parse(String(data?.trial_started_at))) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
  });

  it('shows its billing state to members only', async () => {
    const org = await createOrganization('trialprivate');
    const outsider = await signUpUser('outsider');
    const { data } = await outsider.client.from('billing_status').select('*').eq('org_id', org.id);
    expect(data).toEqual([]);
    const { error } = await outsider.client.from('subscriptions').update({ status: 'active' }).eq('org_id', org.id);
    expect(error?.code).toBe('42501');
  });

  it('cannot change its own subscription state through the Data API', async () => {
    const org = await createOrganization('trialwrite');
    await expireTrial(org.id);
    const { error } = await org.owner.client.from('subscriptions').update({ status: 'active' }).eq('org_id', org.id);
    expect(error?.code).toBe('42501');
    const [row] = await adminSql`select status from public.subscriptions where org_id = ${org.id}`;
    expect(row.status).toBe('trialing');
  });
});

describe('once the trial has expired', () => {
  it('refuses inserts, updates and deletes of records with TRIAL_EXPIRED (402)', async () => {
    const { org, member, tag } = await orgWithTag();
    await expireTrial(org.id);
    const references = await referenceState(org.id);

    const inserted = await member.client.from('tags').insert({ org_id: org.id, name: 'after' });
    expect(inserted.status).toBe(402);
    expect(inserted.error).toMatchObject({ code: 'PT402', message: 'TRIAL_EXPIRED' });
    const updated = await member.client.from('tags').update({ name: 'renamed' }).eq('id', tag.id);
    expect(updated.error).toMatchObject({ code: 'PT402', message: 'TRIAL_EXPIRED' });
    const deleted = await member.client.from('tags').delete().eq('id', tag.id);
    expect(deleted.error).toMatchObject({ code: 'PT402', message: 'TRIAL_EXPIRED' });

    const [row] = await adminSql`select name, deleted_at from public.tags where id = ${tag.id}`;
    expect(row).toEqual({ name: 'before', deleted_at: null });
    expect(await referenceState(org.id)).toBe(references);
    const { data: status } = await member.client.from('billing_status').select('*').eq('org_id', org.id).single();
    expect(status).toMatchObject({ state: 'trialing', trial_days_left: 0, in_good_standing: false });
    expect(status?.refusal_code).toBe('TRIAL_EXPIRED');
  });

  it('refuses money too: transactions, splits and tags', async () => {
    const { org, member, tag } = await orgWithTag();
    const { data: spent, error } = await member.client
      .from('transactions')
      .insert({ org_id: org.id, kind: 'expense', booked_on: '2026-01-02', amount_minor: 1000, currency: 'EUR' })
      .select()
      .single();
    expect(error).toBeNull();
    await expireTrial(org.id);

    const inserted = await member.client.from('transactions').insert({
      org_id: org.id,
      kind: 'expense',
      booked_on: '2026-01-03',
      amount_minor: 1,
      currency: 'EUR',
      counterparty: 'New Vendor',
    });
    expect(inserted.error?.message).toBe('TRIAL_EXPIRED');
    const tagged = await member.client
      .from('transaction_tags')
      .insert({ org_id: org.id, transaction_id: spent?.id as string, tag_id: tag.id });
    expect(tagged.error?.message).toBe('TRIAL_EXPIRED');
    const { data: categories } = await member.client
      .from('categories')
      .select('id')
      .eq('org_id', org.id)
      .eq('kind', 'expense')
      .limit(2);
    const split = await member.client.rpc('set_transaction_splits', {
      transaction_id: spent?.id as string,
      parts: (categories ?? []).map((c) => ({ category_id: c.id, amount_minor: 500 })),
    });
    expect(split.error?.message).toBe('TRIAL_EXPIRED');
    const [counts] = await adminSql`
      select (select count(*)::int from public.transactions where org_id = ${org.id}) as transactions,
             (select count(*)::int from public.vendors where org_id = ${org.id}) as vendors,
             (select count(*)::int from public.transaction_tags where org_id = ${org.id}) as tags`;
    expect(counts).toEqual({ transactions: 1, vendors: 0, tags: 0 });
  });

  it('refuses attachment files into Storage too, which it accepted before the trial ended', async () => {
    const { org, member } = await orgWithTag();
    const receipt = () => new Blob(['%PDF-1.4 receipt'], { type: 'application/pdf' });
    const files = member.client.storage.from('attachments');
    const before = await files.upload(`${org.id}/${randomUUID()}/receipt.pdf`, receipt());
    expect(before.error).toBeNull();
    await expireTrial(org.id);
    const path = `${org.id}/${randomUUID()}/receipt.pdf`;
    const after = await files.upload(path, receipt());
    expect(after.error).not.toBeNull();
    const [{ stored }] = await adminSql`
      select count(*)::int as stored from storage.objects where bucket_id = 'attachments' and name = ${path}`;
    expect(stored).toBe(0);
  });

  it('refuses restoring from the trash, changing settings and inviting', async () => {
    const { org, tag } = await orgWithTag();
    await org.owner.client.from('tags').delete().eq('id', tag.id);
    await expireTrial(org.id);
    const restored = await org.owner.client.rpc('restore_from_trash', { table_name: 'tags', id: tag.id });
    expect(restored.error?.message).toBe('TRIAL_EXPIRED');
    const renamed = await org.owner.client.from('organizations').update({ name: 'New name' }).eq('id', org.id);
    expect(renamed.error?.message).toBe('TRIAL_EXPIRED');
    const invited = await org.owner.client.rpc('invite_member', {
      org_id: org.id,
      email: `late-${randomUUID().slice(0, 8)}@test.westwallet.app`,
    });
    expect(invited.error?.message).toBe('TRIAL_EXPIRED');
  });

  it('refuses a trusted server (service role) too', async () => {
    const { org } = await orgWithTag();
    await expireTrial(org.id);
    const { error } = await serviceClient().from('tags').insert({ org_id: org.id, name: 'from a server' });
    expect(error?.message).toBe('TRIAL_EXPIRED');
  });

  it('still lets members read, list the trash, leave, and the owner delete the organization', async () => {
    const { org, member, tag } = await orgWithTag();
    await expireTrial(org.id);

    const { data: tags } = await member.client.from('tags').select('id').eq('org_id', org.id);
    expect(tags?.map((t) => t.id)).toEqual([tag.id]);
    expect((await member.client.rpc('list_trash', { org_id: org.id })).error).toBeNull();
    expect((await member.client.rpc('list_members', { org_id: org.id })).data).toHaveLength(2);
    expect((await member.client.rpc('leave_organization', { org_id: org.id })).error).toBeNull();

    const { error } = await org.owner.client.from('organizations').delete().eq('id', org.id);
    expect(error).toBeNull();
    const [gone] = await adminSql`select count(*)::int as n from public.tags where org_id = ${org.id}`;
    expect(gone.n).toBe(0);
  });

  it('lets the purge job empty the trash, and operators write from the SQL editor', async () => {
    const { org, tag } = await orgWithTag();
    await org.owner.client.from('tags').delete().eq('id', tag.id);
    await adminSql.begin(async (sql) => {
      await sql`select set_config('westwallet.internal_operation', 'trash', true)`;
      await sql`update public.tags set deleted_at = now() - interval '400 days' where id = ${tag.id}`;
    });
    await expireTrial(org.id);
    await adminSql`select private.purge_expired_trash()`;
    const [row] = await adminSql`select count(*)::int as n from public.tags where id = ${tag.id}`;
    expect(row.n).toBe(0);
    await adminSql`insert into public.tags (org_id, name) values (${org.id}, 'by an operator')`;
  });

  it('is moved to read-only by the daily job, and writes work again once paid', async () => {
    const { org, member } = await orgWithTag();
    await expireTrial(org.id);
    await adminSql`select private.enforce_billing_deadlines()`;
    const [row] = await adminSql`select status, read_only_reason from public.subscriptions where org_id = ${org.id}`;
    expect(row).toEqual({ status: 'read_only', read_only_reason: 'trial_expired' });
    const refused = await member.client.from('tags').insert({ org_id: org.id, name: 'x' });
    expect(refused.error?.message).toBe('TRIAL_EXPIRED');

    await subscribe(org.id, 'household');
    const accepted = await member.client.from('tags').insert({ org_id: org.id, name: 'x' });
    expect(accepted.error).toBeNull();
  });
});

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

describe('suspension by a platform admin', () => {
  it('makes a paying organization read-only with SUBSCRIPTION_INACTIVE until reinstated', async () => {
    const [{ org, member }, operator] = await Promise.all([orgWithTag(), signUpUser('operator')]);
    await makePlatformAdmin(operator.user.id);
    await subscribe(org.id, 'household');

    const suspended = await operator.client.rpc('suspend_organization', { org_id: org.id, reason: 'fraud check' });
    expect(suspended.error).toBeNull();
    const refused = await member.client.from('tags').insert({ org_id: org.id, name: 'x' });
    expect(refused.error).toMatchObject({ code: 'PT402', message: 'SUBSCRIPTION_INACTIVE' });
    const { data: status } = await member.client.from('billing_status').select('state').eq('org_id', org.id).single();
    expect(status?.state).toBe('suspended');

    expect((await operator.client.rpc('reinstate_organization', { org_id: org.id })).error).toBeNull();
    expect((await member.client.from('tags').insert({ org_id: org.id, name: 'x' })).error).toBeNull();
  });

  it('is refused to everyone else, owners included (PLATFORM_ADMIN_REQUIRED)', async () => {
    const { org } = await orgWithTag();
    const { error } = await org.owner.client.rpc('suspend_organization', { org_id: org.id, reason: 'no' });
    expect(error).toMatchObject({ code: 'PT403', message: 'PLATFORM_ADMIN_REQUIRED' });
  });
});

describe("a plan's member limit", () => {
  it('refuses an invitation beyond the limit, counting pending invitations (PLAN_LIMIT_REACHED)', async () => {
    const org = await createOrganization('limit');
    const plan = await createPlan({ maxMembers: 3 });
    await subscribe(org.id, plan.id);
    await addMember(org, 'member');
    await invite(org.owner, org.id, `pending-${randomUUID().slice(0, 8)}@test.westwallet.app`, 'viewer');
    const { error } = await org.owner.client.rpc('invite_member', {
      org_id: org.id,
      email: `fourth-${randomUUID().slice(0, 8)}@test.westwallet.app`,
    });
    expect(error).toMatchObject({ code: 'PT402', message: 'PLAN_LIMIT_REACHED' });
  });

  it('refuses accepting an invitation once the organization is full', async () => {
    const org = await createOrganization('limitaccept');
    const plan = await createPlan({ maxMembers: 3 });
    await subscribe(org.id, plan.id);
    const [first, second] = await Promise.all([signUpUser('first'), signUpUser('second')]);
    const firstInvitation = await invite(org.owner, org.id, first.email, 'member');
    const secondInvitation = await invite(org.owner, org.id, second.email, 'member');
    await adminSql`update public.plans set max_members = 2 where id = ${plan.id}`;

    expect((await first.client.rpc('accept_invitation', { invitation_id: firstInvitation })).error).toBeNull();
    const { error } = await second.client.rpc('accept_invitation', { invitation_id: secondInvitation });
    expect(error?.message).toBe('PLAN_LIMIT_REACHED');
    const [count] = await adminSql`select count(*)::int as n from public.memberships where org_id = ${org.id}`;
    expect(count.n).toBe(2);
  });

  it('uses the configured default without a plan limit, and checks the same in SQL as the API', async () => {
    const org = await createOrganization('limitsql');
    const [{ max_members }] = await adminSql`select max_members from public.app_settings`;
    const error = await asRole(
      { role: 'authenticated', sub: org.owner.user.id, email: org.owner.email },
      async (sql) => {
        for (let i = 1; i < max_members; i++) {
          await sql`select public.invite_member(${org.id}, ${`seat${i}-${randomUUID().slice(0, 6)}@test.westwallet.app`})`;
        }
        return sql`select public.invite_member(${org.id}, 'one-too-many@test.westwallet.app')`.catch((e) => e);
      },
    );
    expect(error).toMatchObject({ code: 'PT402', message: 'PLAN_LIMIT_REACHED' });
  });
});
