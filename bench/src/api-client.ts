/**
 * The client side of `npm run bench -- --api`: a separate Node process that signs in with
 * supabase-js and sends the scenarios' requests through the stack's HTTP address, so that the
 * bench process, which runs the stack, measures only the stack's CPU (api.ts).
 *
 * Messages: `{ init }` -> `{ ready }`; `{ run: { key, ms, concurrency, timed } }` -> `{ times }`
 * (milliseconds per request, end to end as the client sees it) and `cpuMs`, this process's CPU over
 * the run: supabase-js and Node's HTTP client share the machine's cores with the stack.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

export interface ApiClientInit {
  apiUrl: string;
  /** The bare Node server of api-floor.ts. */
  floorUrl: string;
  publishableKey: string;
  email: string;
  password: string;
  org: string;
  currency: string;
  account: string;
  category: string;
  counterparties: string[];
  statsYear: number;
  dashboardFrom: string;
  dashboardTo: string;
  deepCursor: { booked_on: string; reference: string };
  searchTerms: string[];
}

export type ApiClientMessage =
  | { init: ApiClientInit }
  | { run: { key: string; ms: number; concurrency: number; timed: boolean } };

const LIST = '*, category:categories(name), vendor:vendors(name)';

type Call = (n: number) => PromiseLike<{ data: unknown; error: unknown }>;

/** The app's requests, by scenario key; each checks its answer, so the timings time real work. */
function requests(db: SupabaseClient, floor: SupabaseClient, c: ApiClientInit): Record<string, Call> {
  const aDayThisMonth = (n: number) => {
    const d = new Date();
    d.setUTCDate(1 + (n % Math.max(1, d.getUTCDate())));
    return d.toISOString().slice(0, 10);
  };
  return {
    list_newest: () =>
      db
        .from('transactions')
        .select(LIST)
        .eq('org_id', c.org)
        .is('deleted_at', null)
        .order('booked_on', { ascending: false })
        .order('reference', { ascending: false })
        .limit(50),
    list_keyset_page_101: () =>
      db
        .rpc('search_transactions', {
          org_id: c.org,
          after_booked_on: c.deepCursor.booked_on,
          after_reference: c.deepCursor.reference,
          max_rows: 50,
        })
        .select(LIST),
    expense_stats: () => db.rpc('expense_stats', { org_id: c.org, year: c.statsYear }),
    dashboard: () => db.rpc('dashboard', { org_id: c.org, from_date: c.dashboardFrom, to_date: c.dashboardTo }),
    search: (n) =>
      db
        .rpc('search_transactions', {
          org_id: c.org,
          text_query: c.searchTerms[n % c.searchTerms.length],
          max_rows: 50,
        })
        .select(LIST),
    insert: (n) =>
      db
        .from('transactions')
        .insert({
          org_id: c.org,
          kind: 'expense',
          booked_on: aDayThisMonth(n),
          amount_minor: 1000 + ((n * 7919) % 250_000),
          currency: c.currency,
          account_id: c.account,
          counterparty: c.counterparties[n % c.counterparties.length],
          category_id: c.category,
          description: 'Inköp',
          payment_method: 'card',
        })
        .select(),
    simple_get: () => db.from('organizations').select('id, name').eq('id', c.org),
    simple_get_floor: () => floor.from('organizations').select('id, name').eq('id', c.org),
  };
}

let calls: Record<string, Call> | null = null;

async function init(c: ApiClientInit): Promise<void> {
  const db = createClient(c.apiUrl, c.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no WebSocket of its own for Realtime.
    realtime: { transport: WebSocket as never },
  });
  const { data, error } = await db.auth.signInWithPassword({ email: c.email, password: c.password });
  if (error) throw new Error(`sign-in failed: ${error.message}`);
  // The floor has no Auth: the same session's token, sent as supabase-js sends it.
  const floor = createClient(c.floorUrl, c.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${data.session.access_token}` } },
    realtime: { transport: WebSocket as never },
  });
  calls = requests(db, floor, c);
  // What each must answer, once.
  const check = async (key: string, ok: (data: unknown) => boolean) => {
    const { data, error } = await (calls as Record<string, Call>)[key](0);
    if (error || !ok(data)) throw new Error(`${key} does not answer as it must: ${JSON.stringify(error ?? data)}`);
  };
  const rows = (n: number) => (data: unknown) => Array.isArray(data) && data.length === n;
  await check('list_newest', (d) => rows(50)(d) && 'vendor' in (d as Record<string, unknown>[])[0]);
  await check('list_keyset_page_101', (d) => rows(50)(d) && 'category' in (d as Record<string, unknown>[])[0]);
  await check('expense_stats', (d) => Array.isArray((d as { months?: unknown }).months));
  await check('dashboard', (d) => Array.isArray((d as { top_vendors?: unknown }).top_vendors));
  await check('search', (d) => Array.isArray(d) && d.length > 0);
  await check('simple_get', rows(1));
  await check('simple_get_floor', rows(1));
}

async function run(
  key: string,
  ms: number,
  concurrency: number,
  timed: boolean,
): Promise<{ times: number[]; cpuMs: number }> {
  const call = calls?.[key];
  if (!call) throw new Error(`no request ${key} (or not signed in)`);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  let n = 1;
  const until = performance.now() + ms;
  const client = async () => {
    while (performance.now() < until) {
      const sent = performance.now();
      const { error } = await call(n++);
      if (error) throw new Error(`${key}: ${JSON.stringify(error)}`);
      if (timed) times.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const used = process.cpuUsage(cpu);
  return { times, cpuMs: (used.user + used.system) / 1000 };
}

process.on('message', (message: ApiClientMessage) => {
  const reply = (value: unknown) => process.send?.(value);
  const work =
    'init' in message
      ? init(message.init).then(() => ({ ready: true }))
      : run(message.run.key, message.run.ms, message.run.concurrency, message.run.timed);
  work.then(reply, (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }));
});
