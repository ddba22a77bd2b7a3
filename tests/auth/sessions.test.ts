import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Client, deviceAddress, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';
import { authConfig } from './config.ts';

/** A client with its own user agent and address, as another browser or device would be. */
function device(userAgent: string, address = deviceAddress()): Client {
  return createClient(target.url, target.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
    global: { headers: { 'User-Agent': userAgent, ...address } },
  });
}

async function signedIn(user: TestUser, userAgent: string, address = deviceAddress()): Promise<Client> {
  const client = device(userAgent, address);
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
  if (error) throw new Error(`sign-in failed: ${error.message}`);
  return client;
}

async function sessionIdOf(client: Client): Promise<string> {
  const { data } = await client.auth.getSession();
  const payload = JSON.parse(
    Buffer.from(String(data.session?.access_token).split('.')[1] as string, 'base64url').toString(),
  );
  return payload.session_id as string;
}

/** Whether the client's session still works: its token reads the user and its refresh token refreshes. */
async function stillSignedIn(client: Client): Promise<boolean> {
  const { data } = await client.auth.getSession();
  const user = await client.auth.getUser(data.session?.access_token);
  return user.error === null;
}

describe('sessions', () => {
  it('records each session with its user agent, IP and times', async () => {
    const user = await signUpUser('devices');
    const agent = `WestWallet-Test/${randomUUID()}`;
    const address = deviceAddress();
    const client = await signedIn(user, agent, address);
    const sessionId = await sessionIdOf(client);
    const [row] = await adminSql`
      select user_agent, host(ip) as ip, created_at, updated_at, coalesce(aal, 'aal1') as aal
      from auth.sessions where id = ${sessionId}`;
    expect(row).toMatchObject({ user_agent: agent, aal: 'aal1' });
    // The address the platform's gateway forwards (X-Forwarded-For), as GoTrue records it.
    expect(row?.ip).toBe(address['x-forwarded-for']);
    expect(row?.created_at).toBeInstanceOf(Date);
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const [after] = await adminSql`select refreshed_at from auth.sessions where id = ${sessionId}`;
    expect(after?.refreshed_at).not.toBeNull();
  });

  it("ends the other sessions with signOut({ scope: 'others' }), this one with 'local', all with 'global'", async () => {
    const user = await signUpUser('sign-out');
    const [laptop, phone, tablet] = await Promise.all(
      ['laptop', 'phone', 'tablet'].map((agent) => signedIn(user, agent)),
    );
    const others = await (laptop as Client).auth.signOut({ scope: 'others' });
    expect(others.error).toBeNull();
    expect(await stillSignedIn(laptop as Client)).toBe(true);
    expect(await stillSignedIn(phone as Client)).toBe(false);
    expect(await stillSignedIn(tablet as Client)).toBe(false);
    expect((await (phone as Client).auth.refreshSession()).error).not.toBeNull();

    const desktop = await signedIn(user, 'desktop');
    expect(await stillSignedIn(desktop)).toBe(true);
    const { data } = await desktop.auth.getSession();
    await desktop.auth.signOut({ scope: 'local' });
    const desktopUser = await desktop.auth.getUser(data.session?.access_token);
    expect(desktopUser.error).not.toBeNull();
    expect(await stillSignedIn(laptop as Client)).toBe(true);

    const watch = await signedIn(user, 'watch');
    await (laptop as Client).auth.signOut({ scope: 'global' });
    expect(await stillSignedIn(watch)).toBe(false);
    const [{ count }] =
      await adminSql`select count(*)::int as count from auth.sessions where user_id = ${user.user.id}`;
    expect(count).toBe(0);
  });
});

describe('refresh tokens', () => {
  const refresh = (token: string) =>
    fetch(`${target.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { apikey: target.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    });

  it('rotate; an old one works only within the reuse interval, and a later reuse revokes the session', async () => {
    const user = await signUpUser('rotation');
    const { data } = await user.client.auth.getSession();
    const first = data.session?.refresh_token as string;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    const second = ((await rotated.json()) as { refresh_token: string }).refresh_token;
    expect(second).not.toBe(first);

    // Within the interval (a client that lost the answer) the old token gets the current one.
    const retry = await refresh(first);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { refresh_token: string }).refresh_token).toBe(second);

    await new Promise((resolve) => setTimeout(resolve, (authConfig.refresh_token_reuse_interval + 1) * 1000));
    const late = await refresh(first);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error_code: 'refresh_token_already_used' });
    // Taken for a stolen token: the session's current token is revoked with it.
    const current = await refresh(second);
    expect(current.status).toBe(400);
  }, 60_000);
});
