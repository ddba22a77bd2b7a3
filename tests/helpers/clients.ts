import { randomInt, randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import type { Database } from '@westwallet/shared';
import WebSocket from 'ws';
import { adminSql } from './db.ts';
import { target } from './target.ts';

export type Client = SupabaseClient<Database>;

const options = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  // Node 20 has no WebSocket of its own for Realtime.
  realtime: { transport: WebSocket as never },
};

/**
 * A browser's client before sign-in: the publishable (anon) key only, and an address of its own
 * (X-Forwarded-For, as the platform's gateway sets it), so Auth's per-client rate limits count
 * each test user apart, as they would count people on their own devices.
 */
export function anonClient(): Client {
  return createClient<Database>(target.url, target.anonKey, { ...options, global: { headers: deviceAddress() } });
}

/** An address of a device of its own, as the platform's gateway forwards it to Auth. */
export function deviceAddress(): { 'x-forwarded-for': string } {
  return { 'x-forwarded-for': `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}` };
}

/** A trusted server's client: the secret (service_role) key, bypassing row-level security. */
export function serviceClient(): Client {
  return createClient<Database>(target.url, target.serviceKey, options);
}

export interface TestUser {
  client: Client;
  user: User;
  email: string;
  password: string;
}

/**
 * Signs a new user up through Auth, as the browser app does, confirms the address and signs in;
 * emails are unique per call. `metadata` is the sign-up's user metadata (display_name, locale,
 * household_name).
 *
 * Sign-ups need confirming (`enable_confirmations`): the confirmation here is what following the
 * mailed link does, written straight to auth.users through the test database URL, which every
 * target has, because reading the mail back for each of the suite's hundreds of users would slow
 * it down. tests/mail follows the real link.
 */
export async function signUpUser(label = 'user', metadata?: Record<string, string>): Promise<TestUser> {
  const client = anonClient();
  const email = `${label}-${randomUUID().slice(0, 8)}@test.westwallet.app`;
  const password = `pw-${randomUUID()}`;
  const { data, error } = await client.auth.signUp({ email, password, options: { data: metadata } });
  if (error || !data.user) throw new Error(`sign-up of ${email} failed: ${error?.message}`);
  if (!data.session) {
    await confirmEmail(data.user.id);
    const signIn = await client.auth.signInWithPassword({ email, password });
    if (signIn.error) throw new Error(`sign-in of ${email} failed: ${signIn.error.message}`);
  }
  return { client, user: data.user, email, password };
}

/** Marks a user's address confirmed, as following the link Auth mailed them does. */
export async function confirmEmail(userId: string): Promise<void> {
  await adminSql`update auth.users set email_confirmed_at = now(), confirmation_token = ''
                 where id = ${userId} and email_confirmed_at is null`;
}
