import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anonClient, signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { linkIn, type Mail, waitForMail } from '../helpers/mail.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/**
 * Invitations by email, end to end: an admin invites an address that has no account yet, the
 * invitation's mail arrives (in the organization's language), the invitee signs up, confirms the
 * address by Auth's mail, and accepts with the link's secret. Someone else cannot.
 */

/** The invitation id and secret of the link in an invitation mail. */
function acceptLink(mail: Mail) {
  const link = new URL(linkIn(mail, 'http'));
  expect(link.pathname).toBe('/invitations/accept');
  return { invitation_id: link.searchParams.get('invitation') ?? '', secret: link.searchParams.get('secret') ?? '' };
}

describe('invitations by email', () => {
  it('reach a new invitee, who signs up, confirms the address and joins with the link', async () => {
    const admin = await signUpUser('mailinviter', { locale: 'sv', display_name: 'Astrid' });
    const orgId = await personalOrg(admin);
    const email = `mailinvitee-${randomUUID().slice(0, 8)}@test.westwallet.app`;
    const { data: invitation, error } = await admin.client.rpc('invite_member', {
      org_id: orgId,
      email,
      role: 'member',
    });
    expect(error).toBeNull();

    const mail = await waitForMail(email);
    expect(mail.Subject).toMatch(/^Astrid har bjudit in dig till .+ på WestWallet$/);
    expect(mail.Text).toContain('Tacka ja');
    const accept = acceptLink(mail);
    expect(accept.invitation_id).toBe(invitation?.id);
    expect(accept.secret).toMatch(/^[0-9a-f]{64}$/);
    // Once sent, the secret is no longer in the database, only its hash.
    const [outbox] = await adminSql<{ status: string; has_secret: boolean }[]>`
      select status::text, variables ? 'secret' as has_secret from private.mail_outbox
      where variables->>'invitation_id' = ${accept.invitation_id}`;
    expect(outbox).toEqual({ status: 'sent', has_secret: false });

    // The invitee signs up with the invited address and confirms it from Auth's mail.
    const invitee = anonClient();
    const password = `pw-${randomUUID()}`;
    await invitee.auth.signUp({ email, password, options: { data: { locale: 'sv' } } });
    const confirmation = await waitForMail(email, { subject: /Bekräfta/ });
    const confirmed = await fetch(linkIn(confirmation, `${target.url}/auth/v1/verify`), { redirect: 'manual' });
    expect(confirmed.headers.get('location')).toContain('access_token=');
    expect((await invitee.auth.signInWithPassword({ email, password })).error).toBeNull();

    const joined = await invitee.rpc('accept_invitation', accept);
    expect(joined.error).toBeNull();
    expect(joined.data).toMatchObject({ org_id: orgId, role: 'member' });
    const reused = await invitee.rpc('accept_invitation', accept);
    expect(reused.error).toMatchObject({ code: 'PT409', message: 'INVITATION_ALREADY_USED' });
  });

  it('refuse a takeover: an unconfirmed account with the address, a wrong secret, another account with the link', async () => {
    const admin = await signUpUser('takeoveradmin', { locale: 'en' });
    const orgId = await personalOrg(admin);
    const email = `victim-${randomUUID().slice(0, 8)}@test.westwallet.app`;
    await admin.client.rpc('invite_member', { org_id: orgId, email, role: 'admin' });
    const accept = acceptLink(await waitForMail(email));

    // The attacker signs up with the invited address but cannot confirm it: no session at all.
    const attacker = anonClient();
    const password = `pw-${randomUUID()}`;
    const signUp = await attacker.auth.signUp({ email, password });
    expect(signUp.data.session).toBeNull();
    const signIn = await attacker.auth.signInWithPassword({ email, password });
    expect(signIn.error).toMatchObject({ code: 'email_not_confirmed' });
    const anonymous = await attacker.rpc('accept_invitation', accept);
    expect(anonymous.error).not.toBeNull();

    // With a confirmed account of their own, the link (forwarded, leaked) is not theirs...
    const other = await signUpUser('attacker');
    const withLink = await other.client.rpc('accept_invitation', accept);
    expect(withLink.error).toMatchObject({ code: 'PT403', message: 'INVITATION_EMAIL_MISMATCH' });
    // ...and the id without the secret says nothing.
    const guessed = await other.client.rpc('accept_invitation', { ...accept, secret: randomUUID() });
    expect(guessed.error).toMatchObject({ code: 'PT403', message: 'INVITATION_SECRET_INVALID' });

    const [members] = await adminSql<{ n: number }[]>`
      select count(*)::int as n from public.memberships where org_id = ${orgId}`;
    expect(members.n).toBe(1);
  });
});
