import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * Organizations, members, roles and invitations through the Data API, as a browser uses them.
 * Errors are matched by their code (the `message` field), never by text.
 */

describe('a new user', () => {
  it('gets a profile and a personal household they own, in the locale they signed up with', async () => {
    const user = await signUpUser('newcomer', { display_name: 'Astrid', locale: 'sv' });
    const profile = await user.client.from('profiles').select('display_name, locale, preferences').single();
    expect(profile.data).toEqual({ display_name: 'Astrid', locale: 'sv', preferences: {} });

    const orgs = await user.client.from('organizations').select('kind, name, base_currency, locale, time_zone');
    expect(orgs.data).toEqual([
      { kind: 'household', name: 'Mitt hushåll', base_currency: 'SEK', locale: 'sv', time_zone: 'Europe/Stockholm' },
    ]);
    const members = await user.client.from('memberships').select('user_id, role');
    expect(members.data).toEqual([{ user_id: user.user.id, role: 'owner' }]);
  });

  it('keeps the sign-up going with metadata it cannot use', async () => {
    const user = await signUpUser('oddmeta', {
      locale: 'xx',
      display_name: ' \u200b\u2060 ',
      household_name: '\ufeff',
    });
    const profile = await user.client.from('profiles').select('display_name, locale').single();
    expect(profile.data).toEqual({ display_name: user.email.split('@')[0], locale: 'en' });
  });
});

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

describe('members and roles', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let orgId: string;

  beforeAll(async () => {
    [owner, admin, member] = await Promise.all([signUpUser('owner'), signUpUser('admin'), signUpUser('member')]);
    orgId = await personalOrg(owner);
    await join(owner, orgId, admin, 'admin');
    await join(owner, orgId, member, 'member');
  });

  it('lets every member see who else belongs', async () => {
    const { data } = await member.client.rpc('list_members', { org_id: orgId });
    expect(data?.map((m) => m.role).sort()).toEqual(['admin', 'member', 'owner']);
  });

  it('refuses role changes by a member, and owner grants by an admin', async () => {
    const byMember = await member.client.rpc('set_member_role', {
      org_id: orgId,
      user_id: member.user.id,
      role: 'admin',
    });
    expect(byMember.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
    const ownerByAdmin = await admin.client.rpc('set_member_role', {
      org_id: orgId,
      user_id: admin.user.id,
      role: 'owner',
    });
    expect(ownerByAdmin.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
    const demoteOwner = await admin.client.rpc('set_member_role', {
      org_id: orgId,
      user_id: owner.user.id,
      role: 'viewer',
    });
    expect(demoteOwner.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
  });

  it('lets an admin make a member a viewer, who then cannot change settings', async () => {
    const viewer = await signUpUser('viewer');
    await join(admin, orgId, viewer, 'member');
    const changed = await admin.client.rpc('set_member_role', {
      org_id: orgId,
      user_id: viewer.user.id,
      role: 'viewer',
    });
    expect(changed.data).toMatchObject({ role: 'viewer' });
    const tag = await viewer.client.from('tags').insert({ org_id: orgId, name: 'viewer tag' });
    expect(tag.error).toMatchObject({ code: '42501' });
  });

  it('answers NOT_A_MEMBER and ORGANIZATION_NOT_FOUND to outsiders', async () => {
    const outsider = await signUpUser('outsider');
    const members = await outsider.client.rpc('list_members', { org_id: orgId });
    expect(members.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
    const none = await outsider.client.rpc('list_members', { org_id: crypto.randomUUID() });
    expect(none.error).toMatchObject({ code: 'PT404', message: 'ORGANIZATION_NOT_FOUND' });
  });

  it('keeps the last owner: it cannot leave, be removed or be demoted', async () => {
    const leave = await owner.client.rpc('leave_organization', { org_id: orgId });
    expect(leave.error).toMatchObject({ code: 'PT409', message: 'LAST_OWNER' });
    const demote = await owner.client.rpc('set_member_role', { org_id: orgId, user_id: owner.user.id, role: 'admin' });
    expect(demote.error).toMatchObject({ code: 'PT409', message: 'LAST_OWNER' });
  });

  it('transfers ownership: the new owner owns, the old one becomes admin and may then leave', async () => {
    const solo = await signUpUser('solo');
    const soloOrg = await personalOrg(solo);
    const heir = await signUpUser('heir');
    await join(solo, soloOrg, heir, 'member');

    const notMember = await solo.client.rpc('transfer_ownership', {
      org_id: soloOrg,
      new_owner_id: owner.user.id,
    });
    expect(notMember.error).toMatchObject({ message: 'MEMBER_NOT_FOUND' });

    const transfer = await solo.client.rpc('transfer_ownership', { org_id: soloOrg, new_owner_id: heir.user.id });
    expect(transfer.error).toBeNull();
    const roles = await heir.client.from('memberships').select('user_id, role').eq('org_id', soloOrg);
    expect(Object.fromEntries((roles.data ?? []).map((m) => [m.user_id, m.role]))).toEqual({
      [solo.user.id]: 'admin',
      [heir.user.id]: 'owner',
    });
    const leave = await solo.client.rpc('leave_organization', { org_id: soloOrg });
    expect(leave.error).toBeNull();
    const after = await solo.client.from('organizations').select('id').eq('id', soloOrg);
    expect(after.data).toEqual([]);
  });

  it('lets an admin remove a member but only an owner remove an owner', async () => {
    const [coOwner, leaving] = await Promise.all([signUpUser('coowner'), signUpUser('leaving')]);
    await join(owner, orgId, coOwner, 'owner');
    await join(admin, orgId, leaving, 'viewer');
    const byAdmin = await admin.client.rpc('remove_member', { org_id: orgId, user_id: coOwner.user.id });
    expect(byAdmin.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
    const removed = await admin.client.rpc('remove_member', { org_id: orgId, user_id: leaving.user.id });
    expect(removed.error).toBeNull();
    const gone = await leaving.client.from('organizations').select('id').eq('id', orgId);
    expect(gone.data).toEqual([]);
    const byOwner = await owner.client.rpc('remove_member', { org_id: orgId, user_id: coOwner.user.id });
    expect(byOwner.error).toBeNull();
  });
});

describe('invitations', () => {
  let admin: TestUser;
  let orgId: string;

  beforeAll(async () => {
    admin = await signUpUser('inviter');
    orgId = await personalOrg(admin);
  });

  it('are listed to admins and to the invitee, and accepted by the invitee only', async () => {
    const invitee = await signUpUser('invitee');
    const stranger = await signUpUser('stranger');
    const { data: invitation } = await admin.client.rpc('invite_member', {
      org_id: orgId,
      email: invitee.email.toUpperCase(),
      role: 'viewer',
    });
    expect(invitation).toMatchObject({ email: invitee.email, role: 'viewer', accepted_at: null });

    const listed = await admin.client.from('invitations').select('id').eq('org_id', orgId).is('accepted_at', null);
    expect(listed.data?.map((i) => i.id)).toContain(invitation?.id);
    const mine = await invitee.client.from('invitations').select('id, org_id');
    expect(mine.data).toEqual([{ id: invitation?.id, org_id: orgId }]);
    const theirs = await stranger.client.from('invitations').select('id');
    expect(theirs.data).toEqual([]);

    const wrongUser = await stranger.client.rpc('accept_invitation', { invitation_id: invitation?.id as string });
    expect(wrongUser.error).toMatchObject({ code: 'PT403', message: 'INVITATION_EMAIL_MISMATCH' });
    const accepted = await invitee.client.rpc('accept_invitation', { invitation_id: invitation?.id as string });
    expect(accepted.data).toMatchObject({ org_id: orgId, user_id: invitee.user.id, role: 'viewer' });
    const again = await invitee.client.rpc('accept_invitation', { invitation_id: invitation?.id as string });
    expect(again.error).toMatchObject({ code: 'PT409', message: 'INVITATION_ALREADY_USED' });

    const twice = await admin.client.rpc('invite_member', { org_id: orgId, email: invitee.email });
    expect(twice.error).toMatchObject({ code: 'PT409', message: 'ALREADY_MEMBER' });
  });

  it('are neither read nor accepted by someone who holds the address without having confirmed it', async () => {
    // The takeover: someone signs up with the address of a pending invitation. Where sign-up
    // needs confirming, their token carries the address before they have proved they own it.
    const taker = await signUpUser('taker');
    await adminSql`update auth.users set email_confirmed_at = null where id = ${taker.user.id}`;
    const { data: invitation } = await admin.client.rpc('invite_member', {
      org_id: orgId,
      email: taker.email,
      role: 'admin',
    });

    const read = await taker.client.from('invitations').select('id');
    expect(read.data).toEqual([]);
    const accept = await taker.client.rpc('accept_invitation', { invitation_id: invitation?.id as string });
    expect(accept.error).toMatchObject({ code: 'PT403', message: 'EMAIL_NOT_CONFIRMED' });

    await adminSql`update auth.users set email_confirmed_at = now() where id = ${taker.user.id}`;
    const confirmedRead = await taker.client.from('invitations').select('id');
    expect(confirmedRead.data).toEqual([{ id: invitation?.id }]);
    const confirmedAccept = await taker.client.rpc('accept_invitation', { invitation_id: invitation?.id as string });
    expect(confirmedAccept.data).toMatchObject({ org_id: orgId, user_id: taker.user.id, role: 'admin' });
  });

  it('fail with their own codes when expired, revoked or unknown', async () => {
    const late = await signUpUser('late');
    const { data: expiring } = await admin.client.rpc('invite_member', { org_id: orgId, email: late.email });
    await adminSql`update public.invitations set expires_at = now() - interval '1 minute' where id = ${expiring?.id as string}`;
    const expired = await late.client.rpc('accept_invitation', { invitation_id: expiring?.id as string });
    expect(expired.error).toMatchObject({ code: 'PT410', message: 'INVITATION_EXPIRED' });

    const { data: second } = await admin.client.rpc('invite_member', { org_id: orgId, email: late.email });
    const revoked = await admin.client.rpc('revoke_invitation', { invitation_id: second?.id as string });
    expect(revoked.data).toMatchObject({ revoked_by: admin.user.id });
    const refused = await late.client.rpc('accept_invitation', { invitation_id: second?.id as string });
    expect(refused.error).toMatchObject({ code: 'PT410', message: 'INVITATION_REVOKED' });

    const unknown = await late.client.rpc('accept_invitation', { invitation_id: crypto.randomUUID() });
    expect(unknown.error).toMatchObject({ code: 'PT404', message: 'INVITATION_NOT_FOUND' });
  });

  it('replace a pending invitation to the same address, and refuse bad input', async () => {
    const email = `again-${crypto.randomUUID().slice(0, 6)}@test.westwallet.app`;
    const first = await admin.client.rpc('invite_member', { org_id: orgId, email });
    const second = await admin.client.rpc('invite_member', { org_id: orgId, email, role: 'admin' });
    const [row] =
      await adminSql`select revoked_at is not null as revoked from public.invitations where id = ${first.data?.id as string}`;
    expect(row.revoked).toBe(true);
    expect(second.data).toMatchObject({ role: 'admin', revoked_at: null });

    const bad = await admin.client.rpc('invite_member', { org_id: orgId, email: 'not-an-email' });
    expect(bad.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    const owner = await admin.client.rpc('invite_member', { org_id: orgId, email, role: 'owner' });
    expect(owner.error).toBeNull();
  });

  it('are managed by admins only', async () => {
    const member = await signUpUser('plainmember');
    await join(admin, orgId, member, 'member');
    const invite = await member.client.rpc('invite_member', { org_id: orgId, email: 'x@example.com' });
    expect(invite.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const { data: pending } = await admin.client.rpc('invite_member', { org_id: orgId, email: 'y@example.com' });
    const revoke = await member.client.rpc('revoke_invitation', { invitation_id: pending?.id as string });
    expect(revoke.error).toMatchObject({ code: 'PT404', message: 'INVITATION_NOT_FOUND' });
  });
});

describe('profiles', () => {
  it('take valid preferences and refuse invalid ones in the database, naming the path', async () => {
    const user = await signUpUser('prefs');
    const good = await user.client
      .from('profiles')
      .update({ preferences: { notifications: { digest: 'weekly' }, trash: { retentionDays: 90 } } })
      .eq('user_id', user.user.id)
      .select('preferences')
      .single();
    expect(good.error).toBeNull();
    const bad = await user.client
      .from('profiles')
      .update({ preferences: { notifications: { digest: 'hourly' } } })
      .eq('user_id', user.user.id);
    expect(bad.error).toMatchObject({ code: 'PT400', message: 'PREFERENCES_INVALID' });
    expect(bad.error?.details).toContain('$.notifications.digest');

    // The trash retention preference is what new organizations of this user keep.
    const { data: org } = await user.client.rpc('create_organization', { name: 'Prefs AB', kind: 'company' });
    expect(org?.trash_retention_days).toBe(90);
  });

  it('are private to their user', async () => {
    const [one, two] = await Promise.all([signUpUser('private1'), signUpUser('private2')]);
    const seen = await one.client.from('profiles').select('user_id');
    expect(seen.data).toEqual([{ user_id: one.user.id }]);
    const changed = await one.client
      .from('profiles')
      .update({ display_name: 'Hacked' })
      .eq('user_id', two.user.id)
      .select();
    expect(changed.data).toEqual([]);
  });
});

describe('deleting a user', () => {
  it('deletes the organizations only they belonged to, and refuses while others depend on them as owner', async () => {
    const [leaving, partner] = await Promise.all([signUpUser('deleted'), signUpUser('partner')]);
    const own = await personalOrg(leaving);
    const { data: shared } = await leaving.client.rpc('create_organization', { name: 'Shared', kind: 'family' });
    await join(leaving, shared?.id as string, partner, 'admin');

    await expect(adminSql`delete from auth.users where id = ${leaving.user.id}`).rejects.toMatchObject({
      message: 'LAST_OWNER',
    });
    await leaving.client.rpc('transfer_ownership', { org_id: shared?.id as string, new_owner_id: partner.user.id });
    await adminSql`delete from auth.users where id = ${leaving.user.id}`;
    const left = await adminSql`select id from public.organizations where id in (${own}, ${shared?.id as string})`;
    expect(left.map((o) => o.id)).toEqual([shared?.id]);
  });
});
