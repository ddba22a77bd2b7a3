import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serviceClient } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { expireTrial, orgWithTag, subscribe } from './helpers.ts';

/**
 * Read-only mode is enforced by the database: once an organization is not in good standing,
 * every write to its data fails with a code, while reading, leaving and deleting still work.
 */

async function referenceState(orgId: string) {
  const [{ name }] = await adminSql`select private.reference_sequence(${orgId}) as name`;
  const [{ state }] = await adminSql.unsafe(`select format('%s/%s', last_value, is_called) as state from ${name}`);
  return state as string;
}

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
