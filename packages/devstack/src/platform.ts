import fs from 'node:fs';
import path from 'node:path';
import { getAuthSchemaSql, getStorageSchemaSql } from '@supabase/lite';
import type postgres from 'postgres';
import type { Log } from './log.ts';
import { paths } from './paths.ts';

/**
 * The hosted platform's SQL surface that our migrations rely on, created only where it is
 * missing: on a `supabase start` database or a hosted project every check finds the real thing
 * and nothing is touched, so the same migrations run unchanged everywhere. Each part's SQL is a
 * file in `sql/platform/`, whose header says what it stands in for.
 */
interface Part {
  name: string;
  /** A query answering one row `{ missing: boolean }`. */
  missing: string;
  /** In `sql/platform/`. */
  file: string;
  /** SQL the file completes, run first in the same transaction: lite's own auth and storage schemas. */
  base?: () => string;
}

/**
 * Where the server has the real extension, the migrations create it: no stand-in then, or the
 * migration's `create extension` would collide with the stand-in's schema.
 */
function extensionStandIn(extension: string, schema: string, file: string): Part {
  return {
    name: extension,
    missing: `select to_regnamespace('${schema}') is null
      and not exists (select from pg_available_extensions where name = '${extension}') as missing`,
    file,
  };
}

const parts: Part[] = [
  {
    // Roles belong to the cluster: a database created again (db:reset) finds them.
    name: 'roles',
    missing: `select not exists (select from pg_roles where rolname = 'authenticator') as missing`,
    file: 'roles.sql',
  },
  {
    // Grants and default privileges belong to each database, so a recreated one needs them again.
    name: 'API role grants',
    missing: `select not exists (
        select from pg_default_acl d, aclexplode(d.defaclacl) a
        where d.defaclnamespace = 'public'::regnamespace and a.grantee = 'service_role'::regrole
      ) as missing`,
    file: 'api-grants.sql',
  },
  {
    name: 'extensions schema',
    missing: `select to_regnamespace('extensions') is null as missing`,
    file: 'extensions.sql',
  },
  {
    name: 'auth',
    missing: `select to_regclass('auth.users') is null as missing`,
    file: 'auth.sql',
    base: () => getAuthSchemaSql(true),
  },
  {
    name: 'auth mfa',
    missing: `select to_regclass('auth.mfa_factors') is null as missing`,
    file: 'auth-mfa.sql',
  },
  {
    name: 'storage',
    missing: `select to_regclass('storage.objects') is null as missing`,
    file: 'storage.sql',
    base: () => getStorageSchemaSql(true),
  },
  {
    // Only lite's storage schema: the real Storage API keeps its own storage.migrations table.
    name: 'storage metadata as objects',
    missing: `select to_regclass('storage.objects') is not null and to_regclass('storage.migrations') is null
      and not exists (select from pg_trigger where tgname = 'decode_lite_metadata' and tgrelid = 'storage.objects'::regclass)
      as missing`,
    file: 'storage-metadata.sql',
  },
  {
    name: 'Data API schema reload on DDL',
    missing: `select not exists (select from pg_event_trigger where evtname = 'pgrst_ddl_watch') as missing`,
    file: 'schema-reload.sql',
  },
  {
    name: 'realtime',
    missing: `select to_regclass('realtime.messages') is null as missing`,
    file: 'realtime.sql',
  },
  extensionStandIn('pg_cron', 'cron', 'cron.sql'),
  extensionStandIn('pg_net', 'net', 'net.sql'),
  extensionStandIn('pgmq', 'pgmq', 'pgmq.sql'),
  extensionStandIn('supabase_vault', 'vault', 'vault.sql'),
];

function partSql(part: Part): string {
  const file = fs.readFileSync(path.join(paths.platformSql, part.file), 'utf8');
  return part.base ? `${part.base()}\n${file}` : file;
}

/** Creates every missing part, each in its own transaction; returns the names of those created. */
export async function ensurePlatform(sql: postgres.Sql, log: Log): Promise<string[]> {
  const created: string[] = [];
  for (const part of parts) {
    const [{ missing }] = await sql.unsafe<{ missing: boolean }[]>(part.missing);
    if (!missing) continue;
    await sql.begin((tx) => tx.unsafe(partSql(part)));
    created.push(part.name);
  }
  if (created.length > 0) log.info(`platform stand-ins created: ${created.join(', ')}`);
  return created;
}

/**
 * Whether the stack's workers must do pg_cron's and pg_net's work: only when the database has the
 * stand-ins, never beside the real extensions (jobs would run twice).
 */
export async function workersNeeded(sql: postgres.Sql): Promise<{ cron: boolean; net: boolean }> {
  const [row] = await sql<{ cron: boolean; net: boolean }[]>`
    select to_regclass('cron.job') is not null and not exists (select from pg_extension where extname = 'pg_cron') as cron,
           to_regclass('net.http_request_queue') is not null
             and not exists (select from pg_extension where extname = 'pg_net') as net`;
  return row;
}
