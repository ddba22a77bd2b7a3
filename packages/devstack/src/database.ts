import postgres from 'postgres';
import type { Log } from './log.ts';
import { applyMigrations, applySeed } from './migrations.ts';
import { paths } from './paths.ts';
import { ensurePlatform } from './platform.ts';

/** A superuser client for the stack's own work; notices are the migrations' business, not ours. */
export function connect(url: string, options: postgres.Options<Record<string, never>> = {}): postgres.Sql {
  return postgres(url, {
    max: 4,
    onnotice: () => {},
    connection: { application_name: 'westwallet-devstack' },
    ...options,
  });
}

export interface PrepareOptions {
  url: string;
  log: Log;
  /** Seed a database that had no migration history (default true). */
  seed?: boolean;
  /** The API address of the stack serving the database, for scheduled jobs to call. */
  projectUrl?: string;
  /** The stack's secret key, with which scheduled jobs call the functions that require it. */
  secretKey?: string;
}

/** Platform stand-ins where missing, pending migrations, then the seed on a new database. */
export async function prepareDatabase({ url, log, seed = true, projectUrl, secretKey }: PrepareOptions): Promise<void> {
  const sql = connect(url, { max: 1 });
  try {
    await ensurePlatform(sql, log);
    const { fresh } = await applyMigrations(sql, paths.migrations, log);
    if (fresh && seed) await applySeed(sql, paths.seed, log);
    if (projectUrl)
      await rememberSecret(sql, 'project_url', projectUrl, 'Base URL of the project API, for scheduled jobs');
    if (secretKey) await rememberSecret(sql, 'secret_key', secretKey, 'The secret API key, for scheduled jobs');
  } finally {
    await sql.end();
  }
}

/**
 * Scheduled jobs find the project's API through the vault secrets `project_url` and
 * `secret_key`, which an operator sets once on a hosted project; the local stack keeps them
 * pointing at itself.
 */
async function rememberSecret(sql: postgres.Sql, name: string, value: string, description: string): Promise<void> {
  const [existing] = await sql<{ id: string }[]>`select id from vault.secrets where name = ${name}`;
  if (existing) await sql`select vault.update_secret(${existing.id}, ${value})`;
  else await sql`select vault.create_secret(${value}, ${name}, ${description})`;
}

/** `url` with another database name: the server's maintenance database, or a scratch one. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}

/**
 * Drops and recreates the database `url` names (closing its connections), then prepares it anew;
 * `projectUrl` is the API of a stack serving it, for the new database's scheduled jobs.
 */
export async function resetDatabase({ url, log, projectUrl, secretKey }: Omit<PrepareOptions, 'seed'>): Promise<void> {
  const name = databaseName(url);
  await recreateDatabase(url, name);
  log.info(`recreated database ${name}`);
  await prepareDatabase({ url, log, projectUrl, secretKey });
}

export async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = connect(withDatabase(serverUrl, 'template1'), { max: 1 });
  try {
    await dropForced(admin, name);
    await admin.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = connect(withDatabase(serverUrl, 'template1'), { max: 1 });
  try {
    await dropForced(admin, name);
  } finally {
    await admin.end();
  }
}

/**
 * DROP DATABASE ... WITH (FORCE) ends the database's sessions but refuses while a replication slot
 * is active on it: a running stack's Realtime streams the WAL through a temporary slot. Its
 * walsender is ended too (the slot goes with it; Realtime reconnects to the new database), and
 * the drop tried again should Realtime have come back in between.
 */
async function dropForced(admin: postgres.Sql, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await admin`select pg_terminate_backend(active_pid) from pg_replication_slots
                where database = ${name} and active_pid is not null`;
    try {
      await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      return;
    } catch (error) {
      // 55006 object_in_use: the slot was still being released.
      if ((error as { code?: string }).code !== '55006' || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
