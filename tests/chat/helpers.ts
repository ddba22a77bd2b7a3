import { type FunctionsRuntime, startFunctions } from '@westwallet/devstack/functions';
import { createLog } from '@westwallet/devstack/log';
import { type ChatEvent, parseSse } from '@westwallet/shared/chat';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';
import type { FakeOpenAI } from '../setup/fake-openai.ts';

/**
 * The edge functions, served by their own real Deno runtime (the stack's supervisor, as `npm
 * start` runs it) against the target stack, with the AI provider these suites choose: a fake
 * OpenAI API of their own, or none. So the chat suites neither share the fake with the
 * categorization suites nor depend on what the target stack's functions are configured with.
 */
export async function chatRuntime(provider: { fake: FakeOpenAI; apiKey: string } | null): Promise<FunctionsRuntime> {
  return startFunctions({
    env: {
      SUPABASE_URL: target.url,
      SUPABASE_ANON_KEY: target.anonKey,
      SUPABASE_PUBLISHABLE_KEY: target.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: target.serviceKey,
      SUPABASE_SECRET_KEY: target.serviceKey,
      SUPABASE_DB_URL: target.dbUrl,
      // Empty rather than absent: a developer's supabase/functions/.env must not configure one.
      OPENAI_API_KEY: provider?.apiKey ?? '',
      OPENAI_MODEL: provider ? 'fake-chat' : '',
      OPENAI_BASE_URL: provider?.fake.url ?? '',
      OPENAI_TIMEOUT_MS: '1500',
      OPENAI_MAX_RETRIES: '2',
    },
    disabled: [],
    watch: false,
    log: createLog('chat-functions', { quiet: true }),
  });
}

export interface ChatResult {
  status: number;
  contentType: string | null;
  /** The stream's events, for a 200. */
  events: ChatEvent[];
  /** The JSON error body, otherwise. */
  error?: { code: string; message: string };
}

/** POSTs to ai-chat as `user` (or without a token) and reads the whole answer. */
export async function chat(runtime: FunctionsRuntime, body: unknown, user?: TestUser): Promise<ChatResult> {
  const token = user ? (await user.client.auth.getSession()).data.session?.access_token : undefined;
  const request = new Request('http://functions.local/ai-chat', {
    method: 'POST',
    headers: {
      apikey: target.anonKey,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const response = await runtime.fetch(request, '/ai-chat');
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  if (response.status !== 200)
    return { status: response.status, contentType, events: [], error: JSON.parse(text).error };
  return { status: response.status, contentType, events: parseSse(text) };
}

/** The text of the `delta` events, joined. */
export const answerText = (events: ChatEvent[]) =>
  events.flatMap((e) => (e.event === 'delta' ? [e.data.text] : [])).join('');

/** The single event of a kind, as its data. */
export function eventOf<K extends ChatEvent['event']>(events: ChatEvent[], kind: K) {
  return events.find((e) => e.event === kind)?.data as Extract<ChatEvent, { event: K }>['data'] | undefined;
}

/** The organization's ledger rows for chat messages. */
export function chatCharges(orgId: string) {
  return adminSql<{ amount: number; idempotency_key: string }[]>`
    select amount::int as amount, idempotency_key from public.credit_ledger
    where org_id = ${orgId} and kind = 'usage' and idempotency_key like 'ai-chat:%' order by id`;
}

/** Every stored message of the organization, as the superuser sees them. */
export function storedMessages(orgId: string) {
  return adminSql<{ conversation_id: string; user_id: string; role: string; content: string; credits: number }[]>`
    select conversation_id, user_id, role::text as role, content, credits from public.chat_messages
    where org_id = ${orgId} order by created_at, chat_messages.role`;
}
