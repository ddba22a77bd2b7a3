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
  /** The stack's secret key, for jobs that call functions which want it (mail-send). */
  projectSecretKey?: string;
}

/** Platform stand-ins where missing, pending migrations, then the seed on a new database. */
export async function prepareDatabase({
  url,
  log,
  seed = true,
  projectUrl,
  projectSecretKey,
}: PrepareOptions): Promise<void> {
  const sql = connect(url, { max: 1 });
  try {
    await ensurePlatform(sql, log);
    const { fresh } = await applyMigrations(sql, paths.migrations, log);
    if (fresh && seed) await applySeed(sql, paths.seed, log);
    if (projectUrl) {
      await rememberSecret(sql, 'project_url', projectUrl, 'Base URL of the project API, for scheduled jobs');
    }
    if (projectSecretKey) {
      await rememberSecret(sql, 'project_secret_key', projectSecretKey, 'Secret key for internal function calls');
    }
  } finally {
    await sql.end();
  }
}

/**
 * Scheduled jobs find the project's API through the vault secrets `project_url` and
 * `project_secret_key`, which an operator sets once on a hosted project; the local stack keeps
 * them pointing at itself.
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
export async function resetDatabase({
  url,
  log,
  projectUrl,
  projectSecretKey,
}: Omit<PrepareOptions, 'seed'>): Promise<void> {
  const name = databaseName(url);
  await recreateDatabase(url, name);
  log.info(`recreated database ${name}`);
  await prepareDatabase({ url, log, projectUrl, projectSecretKey });
}

export async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = connect(withDatabase(serverUrl, 'template1'), { max: 1 });
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    await admin.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = connect(withDatabase(serverUrl, 'template1'), { max: 1 });
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await admin.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
