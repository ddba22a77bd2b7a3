import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import type { Database } from '@westwallet/shared';
import WebSocket from 'ws';
import { target } from './target.ts';

export type Client = SupabaseClient<Database>;

const options = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  // Node 20 has no WebSocket of its own for Realtime.
  realtime: { transport: WebSocket as never },
};

/** A browser's client before sign-in: the publishable (anon) key only. */
export function anonClient(): Client {
  return createClient<Database>(target.url, target.anonKey, options);
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
 * Signs a new user up through Auth, as the browser app does; emails are unique per call.
 * `metadata` is the sign-up's user metadata (display_name, locale, household_name).
 */
export async function signUpUser(label = 'user', metadata?: Record<string, string>): Promise<TestUser> {
  const client = anonClient();
  const email = `${label}-${randomUUID().slice(0, 8)}@test.westwallet.app`;
  const password = `pw-${randomUUID()}`;
  const { data, error } = await client.auth.signUp({ email, password, options: { data: metadata } });
  if (error || !data.user) throw new Error(`sign-up of ${email} failed: ${error?.message}`);
  if (!data.session) {
    const signIn = await client.auth.signInWithPassword({ email, password });
    if (signIn.error) throw new Error(`sign-in of ${email} failed: ${signIn.error.message}`);
  }
  return { client, user: data.user, email, password };
}
