import { beforeEach, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/** Members and roles: who sees whom, who may change roles or remove whom, the last owner, transfers. */

describe('members and roles', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let orgId: string;

  // Every test changes the members, so each starts from an organization of its own.
  beforeEach(async () => {
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
