import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connect, prepareDatabase, recreateDatabase, withDatabase } from '@westwallet/devstack/database';
import { createLog } from '@westwallet/devstack/log';
import { paths } from '@westwallet/devstack/paths';
import { startEmbeddedPostgres } from '@westwallet/devstack/postgres';
import { claim, readRunning, release } from '@westwallet/devstack/state';
import type postgres from 'postgres';

const benchSqlDir = path.resolve(import.meta.dirname, '../sql');

export interface Server {
  /** Superuser URL of the server's maintenance database. */
  url: string;
  /** Where it came from, for the report. */
  source: string;
  stop(): Promise<void>;
}

/**
 * The memory hosted Supabase gives Postgres on its 2-core, 4 GB compute (Medium), about a quarter
 * of it in shared buffers, in place of Postgres's own defaults (128 MB, made for any machine): a
 * million-transaction company's transactions and their indexes (about 1 GB) then stay in its cache,
 * as they would there, instead of passing through the kernel's page cache. Only memory and WAL
 * sizes: the planner's settings stay as the stack runs them, so plans do not change.
 */
const hostedMemory = { shared_buffers: '1GB', wal_buffers: '16MB', min_wal_size: '1GB', max_wal_size: '4GB' };

/**
 * The Postgres to measure: the one named by --database-url, the running local stack's, or the
 * local stack's own cluster started just for this run (and stopped after it).
 */
export async function openServer(databaseUrl: string | undefined): Promise<Server> {
  if (databaseUrl) return { url: databaseUrl, source: 'given by --database-url', stop: async () => {} };
  const stateDir = process.env.DEVSTACK_STATE_DIR ? path.resolve(process.env.DEVSTACK_STATE_DIR) : paths.state;
  const running = readRunning(stateDir);
  if (running?.dbUrl) return { url: running.dbUrl, source: 'the running local stack', stop: async () => {} };
  if (running) throw new Error('The local stack is still starting; run the benchmark when it is ready.');
  claim(stateDir);
  try {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(stateDir, 'db'),
      port: Number(process.env.DB_PORT ?? 54322),
      throwaway: false,
      log: createLog('postgres'),
      settings: hostedMemory,
    });
    return {
      url: server.url,
      source: "the local stack's Postgres, started for this run",
      stop: async () => {
        await server.stop();
        release(stateDir);
      },
    };
  } catch (error) {
    release(stateDir);
    throw error;
  }
}

/** Changes whenever a migration or the generator changes: a loaded data set is then stale. */
export function schemaFingerprint(): string {
  const hash = crypto.createHash('sha256');
  for (const dir of [paths.migrations, benchSqlDir]) {
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      hash.update(file).update(fs.readFileSync(path.join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export interface BenchDatabase {
  url: string;
  /** True when the data set of these sizes was already loaded and is used as it is. */
  reused: boolean;
  /** The migrations and generator this database was built from (schemaFingerprint). */
  fingerprint: string;
}

/**
 * The benchmark's own database on the server (never the stack's `postgres` database with the
 * demo data): reused when it holds a data set of the same sizes and schema, else created anew
 * from the migrations, without the seed, with the generator's functions.
 */
export async function openBenchDatabase(
  serverUrl: string,
  name: string,
  params: Record<string, unknown>,
  fresh: boolean,
): Promise<BenchDatabase> {
  const url = withDatabase(serverUrl, name);
  const fingerprint = schemaFingerprint();
  if (!fresh && (await loadedDataset(serverUrl, name, url, params, fingerprint))) {
    return { url, reused: true, fingerprint };
  }
  await recreateDatabase(serverUrl, name);
  await prepareDatabase({ url, log: createLog('bench', { quiet: true }), seed: false });
  const sql = connect(url, { max: 1 });
  try {
    for (const file of ['catalog.sql', 'generator.sql', 'measure.sql', 'baseline.sql'])
      await sql.file(path.join(benchSqlDir, file));
  } finally {
    await sql.end();
  }
  return { url, reused: false, fingerprint };
}

/** Marks the database as holding a data set of these sizes, for later runs to reuse. */
export async function recordDataset(
  database: BenchDatabase,
  params: Record<string, unknown>,
  load: { seconds: Record<string, number>; counts: Record<string, number> },
): Promise<void> {
  const sql = connect(database.url, { max: 1 });
  try {
    await sql`insert into bench.dataset (params, schema_fingerprint, load_seconds, counts)
              values (${sql.json(params as postgres.JSONValue)}, ${database.fingerprint},
                      ${Object.values(load.seconds).reduce((a, b) => a + b, 0)}, ${sql.json(load.counts)})`;
  } finally {
    await sql.end();
  }
}

async function loadedDataset(
  serverUrl: string,
  name: string,
  url: string,
  params: Record<string, unknown>,
  fingerprint: string,
): Promise<boolean> {
  const admin = connect(serverUrl, { max: 1 });
  let exists: boolean;
  try {
    [{ exists }] = await admin<{ exists: boolean }[]>`select exists (select from pg_database where datname = ${name})`;
  } finally {
    await admin.end();
  }
  if (!exists) return false;
  const sql = connect(url, { max: 1 });
  try {
    const rows = await sql<{ same: boolean }[]>`
      select params = ${sql.json(params as postgres.JSONValue)}::jsonb and schema_fingerprint = ${fingerprint} as same
      from bench.dataset`.catch(() => []);
    return rows.length === 1 && rows[0].same;
  } finally {
    await sql.end();
  }
}
