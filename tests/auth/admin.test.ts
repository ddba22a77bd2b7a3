import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anonClient, serviceClient, signUpUser } from '../helpers/clients.ts';
import { target } from '../helpers/target.ts';
import { authConfig } from './config.ts';

const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.westwallet.app`;
const password = () => `pw-${randomUUID()}`;

describe('the Auth admin API', () => {
  it('creates, reads, updates, lists and deletes users with the secret key', async () => {
    const admin = serviceClient().auth.admin;
    const address = email('admin-created');
    const secret = password();
    const created = await admin.createUser({
      email: address,
      password: secret,
      email_confirm: true,
      user_metadata: { display_name: 'Created' },
    });
    expect(created.error).toBeNull();
    const id = created.data.user?.id as string;
    expect(created.data.user).toMatchObject({ email: address, user_metadata: { display_name: 'Created' } });
    expect(created.data.user?.email_confirmed_at).toBeTruthy();

    const signedIn = await anonClient().auth.signInWithPassword({ email: address, password: secret });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.id).toBe(id);

    const again = await admin.createUser({ email: address, password: password() });
    expect(again.error).toMatchObject({ status: 422, code: 'email_exists' });

    const read = await admin.getUserById(id);
    expect(read.data.user?.email).toBe(address);

    const updated = await admin.updateUserById(id, {
      user_metadata: { display_name: 'Renamed' },
      app_metadata: { plan: 'pro' },
    });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ display_name: 'Renamed' });
    expect(updated.data.user?.app_metadata).toMatchObject({ plan: 'pro', provider: 'email' });

    const firstPage = await admin.listUsers({ page: 1, perPage: 1 });
    expect(firstPage.error).toBeNull();
    expect(firstPage.data.users).toHaveLength(1);
    const pagination = firstPage.data as { total?: number; nextPage?: number | null };
    expect(pagination.total).toBeGreaterThanOrEqual(2);
    expect(pagination.nextPage).toBe(2);
    // Newest first, as GoTrue lists them: a large page holds the new user.
    const page = await admin.listUsers({ page: 1, perPage: 200 });
    expect(page.data.users.some((user) => user.id === id)).toBe(true);

    const deleted = await admin.deleteUser(id);
    expect(deleted.error).toBeNull();
    const gone = await admin.getUserById(id);
    expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found' });
  });

  it('refuses the admin API without the secret key', async () => {
    const publishable = anonClient().auth.admin;
    const listed = await publishable.listUsers();
    expect(listed.error).toMatchObject({ status: 403, code: 'not_admin' });
    const created = await publishable.createUser({ email: email('refused'), password: password() });
    expect(created.error).toMatchObject({ status: 403, code: 'not_admin' });

    // A signed-in user's token is no admin's either.
    const user = await signUpUser('not-admin');
    const { data } = await user.client.auth.getSession();
    const asUser = createClient(target.url, target.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
      global: { headers: { Authorization: `Bearer ${data.session?.access_token}` } },
    });
    const byUser = await asUser.auth.admin.getUserById(user.user.id);
    expect(byUser.error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('generates magic link, recovery and invite links whose codes sign the user in', async () => {
    const admin = serviceClient().auth.admin;
    const user = await signUpUser('linked');
    const magic = await admin.generateLink({ type: 'magiclink', email: user.email });
    expect(magic.error).toBeNull();
    expect(magic.data.properties?.action_link).toContain('/auth/v1/verify?token=');
    const byCode = await anonClient().auth.verifyOtp({
      email: user.email,
      token: magic.data.properties?.email_otp as string,
      type: 'email',
    });
    expect(byCode.error).toBeNull();
    expect(byCode.data.user?.id).toBe(user.user.id);

    const recovery = await admin.generateLink({ type: 'recovery', email: user.email });
    const byHash = await anonClient().auth.verifyOtp({
      token_hash: recovery.data.properties?.hashed_token as string,
      type: 'recovery',
    });
    expect(byHash.error).toBeNull();
    expect(byHash.data.session?.user.id).toBe(user.user.id);

    const invited = await admin.generateLink({ type: 'invite', email: email('invited') });
    expect(invited.error).toBeNull();
    expect(invited.data.user?.email_confirmed_at ?? null).toBeNull();
    const accepted = await anonClient().auth.verifyOtp({
      token_hash: invited.data.properties?.hashed_token as string,
      type: 'invite',
    });
    expect(accepted.error).toBeNull();
    expect(accepted.data.user?.id).toBe(invited.data.user?.id);
    expect(accepted.data.user?.email_confirmed_at).toBeTruthy();
    // A code works once.
    const reused = await anonClient().auth.verifyOtp({
      token_hash: invited.data.properties?.hashed_token as string,
      type: 'invite',
    });
    expect(reused.error?.code).toBe('otp_expired');
  });

  it("signs the invitee in from the invitation's link, clicked without an API key", async () => {
    const invited = await serviceClient().auth.admin.generateLink({ type: 'invite', email: email('clicked') });
    const link = invited.data.properties?.action_link as string;
    const clicked = await fetch(link, { redirect: 'manual' });
    expect(clicked.status).toBe(303);
    const location = new URL(clicked.headers.get('location') as string);
    // To the site, with the session in the fragment.
    expect(location.origin).toBe(new URL(authConfig.site_url).origin);
    const fragment = new URLSearchParams(location.hash.slice(1));
    const claims = JSON.parse(
      Buffer.from((fragment.get('access_token') as string).split('.')[1] as string, 'base64url').toString(),
    );
    expect(claims).toMatchObject({
      sub: invited.data.user?.id,
      aal: 'aal1',
      amr: [expect.objectContaining({ method: 'otp' })],
    });
    const again = await fetch(link, { redirect: 'manual' });
    expect(new URLSearchParams(new URL(again.headers.get('location') as string).hash.slice(1)).get('error_code')).toBe(
      'otp_expired',
    );
  });

  it('invites by email a user who does not exist yet', async () => {
    const address = email('invitee');
    const { data, error } = await serviceClient().auth.admin.inviteUserByEmail(address, { data: { locale: 'sv' } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: address, user_metadata: { locale: 'sv' } });
    expect(data.user?.invited_at).toBeTruthy();
  });

  it("signs a user out of every session with the user's token and the secret key", async () => {
    const user = await signUpUser('signed-out');
    const other = anonClient();
    await other.auth.signInWithPassword({ email: user.email, password: user.password });
    const { data } = await user.client.auth.getSession();
    const { error } = await serviceClient().auth.admin.signOut(data.session?.access_token as string, 'global');
    expect(error).toBeNull();
    const refreshed = await other.auth.refreshSession();
    expect(refreshed.error).not.toBeNull();
  });
});
