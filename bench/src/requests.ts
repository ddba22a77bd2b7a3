import { connect } from '@westwallet/devstack/database';
import type postgres from 'postgres';

/** A signed-in user's JWT claims, as PostgREST puts them in `request.jwt.claims`. */
export interface Claims {
  sub: string;
  role: 'authenticated';
  aud: 'authenticated';
}

export const claimsOf = (userId: string): Claims => ({ sub: userId, role: 'authenticated', aud: 'authenticated' });

/** One request, as the Data API would run it. */
export interface Request {
  /** The user asking; null runs it as the superuser, where row-level security does not apply. */
  as: Claims | null;
  /** GET (read-only transaction) or a write. */
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** The query the Data API would send for it: one statement, not awaited. */
  query(tx: postgres.TransactionSql): postgres.PendingQuery<postgres.Row[]>;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Times in milliseconds. */
export interface Measurement extends Percentiles {
  requests: number;
  seconds: number;
  rps: number;
  /** Measured by the server: from the request's first statement to the end of its query. */
  database: Percentiles;
  /**
   * Database time less the time the backend waited for a CPU meanwhile (Linux run-queue delay):
   * what the request cost, without its turn in the queue. Null where the kernel does not say.
   */
  running: Percentiles | null;
  /**
   * KiB read from storage per request, on average: pages neither shared_buffers nor the kernel's
   * page cache held. Null where the kernel does not say.
   */
  storageReadKiB: number | null;
}

/**
 * Sends requests from `concurrency` clients, each on its own connection, for `seconds` (after a
 * warm-up of a fifth of that, not counted). Each request runs the way PostgREST runs one: a
 * transaction, read-only for GET, whose first statement sets the role, the JWT claims and the
 * signed-in role's `settings` (roleSettings) with set_config, then the query, the two
 * pipelined. Two times per request: at the client, from BEGIN to COMMIT (what PostgREST waits
 * for, with this client's round trips), and in the database, from the set_config statement to
 * the end of the query, read by a last statement.
 *
 * Several kinds of request (a scenario and its baselines) are timed in turns: `slices` rounds,
 * each giving every kind its share of `seconds` on its own connections, so that what the machine
 * does meanwhile (another tenant of the host, a checkpoint, autovacuum) falls on all of them
 * alike and their ratios hold.
 */
export async function measure(
  url: string,
  kinds: ((n: number) => Request)[],
  {
    concurrency,
    seconds,
    slices = 1,
    settings = {},
  }: { concurrency: number; seconds: number; slices?: number; settings?: Record<string, string> },
): Promise<Measurement[]> {
  type Times = { client: number[]; database: number[]; running: number[]; readBytes: number[]; elapsed: number };
  const timed = kinds.map((next) => ({
    next,
    n: 0,
    sql: connect(url, { max: concurrency, connection: { application_name: 'westwallet-bench' } }),
    times: { client: [], database: [], running: [], readBytes: [], elapsed: 0 } as Times,
  }));
  try {
    const run = async (kind: (typeof timed)[number], ms: number, times: Times | null) => {
      const started = performance.now();
      const until = started + ms;
      const client = async () => {
        while (performance.now() < until) {
          const request = kind.next(kind.n++);
          const sent = performance.now();
          const { databaseMs, waitedMs, readBytes } = await send(kind.sql, request, settings);
          if (!times) continue;
          times.client.push(performance.now() - sent);
          times.database.push(databaseMs);
          if (waitedMs !== null) times.running.push(databaseMs - waitedMs);
          if (readBytes !== null) times.readBytes.push(readBytes);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, client));
      if (times) times.elapsed += (performance.now() - started) / 1000;
    };
    for (const kind of timed) await run(kind, (seconds * 1000) / 5, null);
    for (let slice = 0; slice < slices; slice++) {
      for (const kind of timed) await run(kind, (seconds * 1000) / slices, kind.times);
    }
    return timed.map(({ times }) => ({
      requests: times.client.length,
      seconds: Math.round(times.elapsed * 100) / 100,
      rps: Math.round(times.client.length / times.elapsed),
      ...percentiles(times.client),
      database: percentiles(times.database),
      running: times.running.length === times.database.length ? percentiles(times.running) : null,
      storageReadKiB:
        times.readBytes.length === times.database.length && times.readBytes.length > 0
          ? Math.round((times.readBytes.reduce((a, b) => a + b, 0) / times.readBytes.length / 1024) * 10) / 10
          : null,
    }));
  } finally {
    await Promise.all(timed.map(({ sql }) => sql.end()));
  }
}

/**
 * The settings PostgREST applies to every request of a role it impersonates (`alter role ... set`,
 * its "impersonated role settings"), read as PostgREST reads them: the role's own, for every
 * database.
 */
export async function roleSettings(sql: postgres.Sql, role = 'authenticated'): Promise<Record<string, string>> {
  const [{ settings }] = await sql<{ settings: Record<string, string> }[]>`
    select coalesce(jsonb_object_agg(split_part(s, '=', 1), substr(s, strpos(s, '=') + 1)), '{}') as settings
    from pg_roles r, unnest(r.rolconfig) s
    where r.rolname = ${role}`;
  return settings;
}

/**
 * Runs one request with `settings` (roleSettings) applied; its rows, the database time it took
 * (ms), how much of that the backend waited for a CPU (ms), and the bytes it read from storage
 * (the last two null where the kernel does not tell). The baselines without row-level security
 * get the same settings, so that they differ from their scenario in nothing else.
 */
export async function send(
  sql: postgres.Sql,
  request: Request,
  settings: Record<string, string> = {},
): Promise<{ rows: postgres.Row[]; databaseMs: number; waitedMs: number | null; readBytes: number | null }> {
  const mode = request.method === 'GET' ? 'isolation level read committed read only' : 'isolation level read committed';
  const claims = JSON.stringify(request.as ?? {});
  // 'none' keeps the session's own role: the superuser, for the baselines without row-level security.
  const role = request.as ? 'authenticated' : 'none';
  const [, rows, [timing]] = await sql.begin(mode, (tx) => [
    // The /proc counters are read before the clock starts and after it stops: their reads (about
    // 10 µs each) are not part of the request's time.
    tx`select set_config('bench.read_bytes', coalesce(bench.proc_counter('/proc/self/io', 'read_bytes: ([0-9]+)')::text, ''), true),
              set_config('bench.run_queue_ns', coalesce(bench.proc_counter('/proc/self/schedstat', '^[0-9]+ ([0-9]+)')::text, ''), true),
              set_config('bench.started', clock_timestamp()::text, true), set_config('role', ${role}, true),
              set_config('request.jwt.claims', ${claims}, true), set_config('request.method', ${request.method}, true),
              set_config('request.path', ${request.path}, true),
              (select count(set_config(s.key, s.value, true)) from jsonb_each_text(${tx.json(settings)}) s)`,
    request.query(tx),
    tx`select (extract(epoch from clock_timestamp() - current_setting('bench.started')::timestamptz) * 1000)::float8 as ms,
              ((bench.proc_counter('/proc/self/schedstat', '^[0-9]+ ([0-9]+)') - nullif(current_setting('bench.run_queue_ns'), '')::bigint) / 1e6)::float8 as waited_ms,
              (bench.proc_counter('/proc/self/io', 'read_bytes: ([0-9]+)') - nullif(current_setting('bench.read_bytes'), '')::bigint)::float8 as read_bytes`,
  ]);
  return {
    rows,
    databaseMs: timing.ms as number,
    waitedMs: timing.waited_ms as number | null,
    readBytes: timing.read_bytes as number | null,
  };
}

export function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const ms = (n: number) => Math.round(n * 1000) / 1000;
  return {
    p50: ms(at(0.5)),
    p95: ms(at(0.95)),
    p99: ms(at(0.99)),
    mean: ms(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    max: ms(sorted.at(-1) ?? 0),
  };
}
