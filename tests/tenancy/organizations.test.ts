import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join } from '../helpers/organizations.ts';

/**
 * Organizations through the Data API, as a browser uses them: created by RPC, settings changed by
 * admins, deleted by owners. Errors are matched by their code (the `message` field), never by text.
 */

describe('organizations', () => {
  let owner: TestUser;

  beforeAll(async () => {
    owner = await signUpUser('orgowner');
  });

  it('are created by RPC with the caller as owner and defaults from the locale', async () => {
    const { data, error } = await owner.client.rpc('create_organization', {
      name: 'Föreningen Båtklubben',
      kind: 'association',
      locale: 'fi',
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ kind: 'association', base_currency: 'EUR', time_zone: 'Europe/Helsinki' });
    const members = await owner.client.rpc('list_members', { org_id: data?.id as string });
    expect(members.data).toEqual([
      expect.objectContaining({ user_id: owner.user.id, role: 'owner', email: owner.email }),
    ]);
  });

  it('refuse an unknown currency or time zone with the constraint that failed, and a blank name', async () => {
    const currency = await owner.client.rpc('create_organization', { name: 'X', base_currency: 'XYZ' });
    expect(currency.error).toMatchObject({ code: '23503' });
    const zone = await owner.client.rpc('create_organization', { name: 'X', time_zone: 'Mars/Olympus' });
    expect(zone.error).toMatchObject({ code: '23514' });
    expect(zone.error?.message).toContain('organizations_time_zone_check');
    for (const blank of ['  ', '\u200b\u00a0', '\t\n']) {
      const name = await owner.client.rpc('create_organization', { name: blank });
      expect(name.error, JSON.stringify(blank)).toMatchObject({ code: 'PT400', message: 'NAME_INVALID' });
    }
  });

  it('cannot be inserted directly, only through create_organization', async () => {
    const { error } = await owner.client.from('organizations').insert({ name: 'Sneaky', base_currency: 'SEK' });
    expect(error).toMatchObject({ code: '42501' });
  });

  it('let admins change settings but not members, and only owners delete them', async () => {
    const { data: org } = await owner.client.rpc('create_organization', { name: 'Settings AB', kind: 'company' });
    const orgId = org?.id as string;
    const [admin, member] = await Promise.all([signUpUser('setadmin'), signUpUser('setmember')]);
    await join(owner, orgId, admin, 'admin');
    await join(owner, orgId, member, 'member');

    const byMember = await member.client.from('organizations').update({ name: 'Mine now' }).eq('id', orgId).select();
    expect(byMember.data).toEqual([]);
    const byAdmin = await admin.client
      .from('organizations')
      .update({ name: 'Settings & Co AB', trash_retention_days: 60 })
      .eq('id', orgId)
      .select('name, trash_retention_days')
      .single();
    expect(byAdmin.data).toEqual({ name: 'Settings & Co AB', trash_retention_days: 60 });

    const adminDelete = await admin.client.from('organizations').delete().eq('id', orgId).select();
    expect(adminDelete.data).toEqual([]);
    const ownerDelete = await owner.client.from('organizations').delete().eq('id', orgId).select('id');
    expect(ownerDelete.data).toEqual([{ id: orgId }]);
    const [left] = await adminSql`select count(*)::int as n from public.memberships where org_id = ${orgId}`;
    expect(left.n).toBe(0);
  });
});
