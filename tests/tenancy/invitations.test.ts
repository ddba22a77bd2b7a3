import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, knownSecret, personalOrg } from '../helpers/organizations.ts';

/**
 * Invitations: sent by admins, read by the confirmed holder of the address, and accepted by them
 * with the secret the invitation's mail carries (tests/mail/invitations.test.ts follows the mail;
 * here the secret is set through the database).
 */

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

    const accept = { invitation_id: invitation?.id as string, secret: await knownSecret(invitation?.id as string) };
    const wrongUser = await stranger.client.rpc('accept_invitation', accept);
    expect(wrongUser.error).toMatchObject({ code: 'PT403', message: 'INVITATION_EMAIL_MISMATCH' });
    const accepted = await invitee.client.rpc('accept_invitation', accept);
    expect(accepted.data).toMatchObject({ org_id: orgId, user_id: invitee.user.id, role: 'viewer' });
    const again = await invitee.client.rpc('accept_invitation', accept);
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

    const secret = await knownSecret(invitation?.id as string);
    const read = await taker.client.from('invitations').select('id');
    expect(read.data).toEqual([]);
    const accept = await taker.client.rpc('accept_invitation', { invitation_id: invitation?.id as string, secret });
    expect(accept.error).toMatchObject({ code: 'PT403', message: 'EMAIL_NOT_CONFIRMED' });

    await adminSql`update auth.users set email_confirmed_at = now() where id = ${taker.user.id}`;
    const confirmedRead = await taker.client.from('invitations').select('id');
    expect(confirmedRead.data).toEqual([{ id: invitation?.id }]);
    const confirmedAccept = await taker.client.rpc('accept_invitation', {
      invitation_id: invitation?.id as string,
      secret,
    });
    expect(confirmedAccept.data).toMatchObject({ org_id: orgId, user_id: taker.user.id, role: 'admin' });
  });

  it('fail with their own codes when expired, revoked or unknown', async () => {
    const late = await signUpUser('late');
    const { data: expiring } = await admin.client.rpc('invite_member', { org_id: orgId, email: late.email });
    await adminSql`update public.invitations set expires_at = now() - interval '1 minute' where id = ${expiring?.id as string}`;
    const expired = await late.client.rpc('accept_invitation', {
      invitation_id: expiring?.id as string,
      secret: await knownSecret(expiring?.id as string),
    });
    expect(expired.error).toMatchObject({ code: 'PT410', message: 'INVITATION_EXPIRED' });

    const { data: second } = await admin.client.rpc('invite_member', { org_id: orgId, email: late.email });
    const revoked = await admin.client.rpc('revoke_invitation', { invitation_id: second?.id as string });
    expect(revoked.data).toMatchObject({ revoked_by: admin.user.id });
    const refused = await late.client.rpc('accept_invitation', {
      invitation_id: second?.id as string,
      secret: await knownSecret(second?.id as string),
    });
    expect(refused.error).toMatchObject({ code: 'PT410', message: 'INVITATION_REVOKED' });

    const unknown = await late.client.rpc('accept_invitation', { invitation_id: crypto.randomUUID(), secret: 'x' });
    expect(unknown.error).toMatchObject({ code: 'PT404', message: 'INVITATION_NOT_FOUND' });
  });

  it('are not accepted by their id alone: the secret from the mail is needed, and only its hash is kept', async () => {
    const invitee = await signUpUser('nosecret');
    const { data: invitation } = await admin.client.rpc('invite_member', { org_id: orgId, email: invitee.email });
    const id = invitation?.id as string;
    for (const secret of ['', 'guessed', crypto.randomUUID()]) {
      const refused = await invitee.client.rpc('accept_invitation', { invitation_id: id, secret });
      expect(refused.error).toMatchObject({ code: 'PT403', message: 'INVITATION_SECRET_INVALID' });
    }
    // What admins read of the invitation says nothing of the secret.
    const { data: row } = await admin.client.from('invitations').select('*').eq('id', id).single();
    expect(Object.keys(row ?? {}).filter((column) => /secret|token|hash/.test(column))).toEqual([]);
    const [stored] = await adminSql<{ bytes: number }[]>`
      select length(secret_hash) as bytes from private.invitation_secrets where invitation_id = ${id}`;
    expect(stored.bytes).toBe(32);
    const members =
      await adminSql`select from public.memberships where org_id = ${orgId} and user_id = ${invitee.user.id}`;
    expect(members).toHaveLength(0);
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
