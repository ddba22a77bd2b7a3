import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anonClient, serviceClient } from '../helpers/clients.ts';
import { linkIn, waitForMail } from '../helpers/mail.ts';
import { target } from '../helpers/target.ts';

/**
 * Auth's emails as a new user meets them: sign-up needs the link mailed to the address, and
 * each mail speaks the language the user signed up with.
 */

const verifyUrl = `${target.url}/auth/v1/verify`;

function newAddress(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@test.westwallet.app`;
}

/** Follows a mailed link as a browser does, answering where Auth redirected and the fragment it set. */
async function follow(link: string): Promise<{ location: URL; fragment: URLSearchParams }> {
  const response = await fetch(link, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  return { location, fragment: new URLSearchParams(location.hash.slice(1)) };
}

describe('Auth emails', () => {
  it("invites by the admin API with the project's template, in the invitee's language, and the link signs them in", async () => {
    const email = newAddress('invited');
    const invited = await serviceClient().auth.admin.inviteUserByEmail(email, { data: { locale: 'fi' } });
    expect(invited.error).toBeNull();

    const mail = await waitForMail(email);
    expect(mail.Subject).toBe('Sinut on kutsuttu WestWalletiin');
    expect(mail.HTML).toContain('lang="fi"');
    const { fragment } = await follow(linkIn(mail, verifyUrl));
    expect(fragment.get('access_token')).toBeTruthy();
    expect(fragment.get('type')).toBe('invite');
  });

  it('confirms a sign-up by the link in the mail, in the language the user signed up with', async () => {
    const client = anonClient();
    const email = newAddress('confirm');
    const password = `pw-${randomUUID()}`;
    const signUp = await client.auth.signUp({ email, password, options: { data: { locale: 'de' } } });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();

    const early = await client.auth.signInWithPassword({ email, password });
    expect(early.error).toMatchObject({ code: 'email_not_confirmed' });

    const mail = await waitForMail(email);
    expect(mail.Subject).toBe('Bestätige deine E-Mail-Adresse');
    expect(mail.HTML).toContain('lang="de"');
    const { location, fragment } = await follow(linkIn(mail, verifyUrl));
    expect(location.hash).not.toContain('error');
    expect(fragment.get('type')).toBe('signup');
    const fromLink = await anonClient().auth.getUser(fragment.get('access_token') ?? '');
    expect(fromLink.data.user?.email).toBe(email);

    const signIn = await client.auth.signInWithPassword({ email, password });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user?.email_confirmed_at).toBeTruthy();

    // The link is single-use.
    const again = await follow(linkIn(mail, verifyUrl));
    expect(again.fragment.get('error')).toBe('access_denied');
  });

  it('writes English to a user whose language is not known', async () => {
    const email = newAddress('english');
    const { error } = await anonClient().auth.signUp({ email, password: `pw-${randomUUID()}` });
    expect(error).toBeNull();
    const mail = await waitForMail(email);
    expect(mail.Subject).toBe('Confirm your email address');
    expect(mail.From?.Address).toMatch(/@/);
  });

  it('resets a forgotten password through the recovery mail', async () => {
    const client = anonClient();
    const email = newAddress('recover');
    await client.auth.signUp({ email, password: `pw-${randomUUID()}`, options: { data: { locale: 'sv' } } });
    const { fragment } = await follow(linkIn(await waitForMail(email), verifyUrl));
    expect(fragment.get('access_token')).toBeTruthy();

    const reset = await anonClient().auth.resetPasswordForEmail(email);
    expect(reset.error).toBeNull();
    const mail = await waitForMail(email, { subject: /Återställ/ });
    expect(mail.Subject).toBe('Återställ ditt lösenord');
    const recovery = await follow(linkIn(mail, verifyUrl));
    expect(recovery.fragment.get('type')).toBe('recovery');

    const browser = anonClient();
    const session = await browser.auth.setSession({
      access_token: recovery.fragment.get('access_token') ?? '',
      refresh_token: recovery.fragment.get('refresh_token') ?? '',
    });
    expect(session.error).toBeNull();
    const newPassword = `pw-${randomUUID()}`;
    expect((await browser.auth.updateUser({ password: newPassword })).error).toBeNull();
    const signIn = await anonClient().auth.signInWithPassword({ email, password: newPassword });
    expect(signIn.error).toBeNull();
  });
});
