import fs from 'node:fs';
import path from 'node:path';
import { getAuthSchemaSql, getStorageSchemaSql } from '@supabase/lite';
import type postgres from 'postgres';
import type { Log } from './log.ts';
import { paths } from './paths.ts';

/**
 * The hosted platform's SQL surface that our migrations rely on, created only where it is
 * missing: on a `supabase start` database or a hosted project every check finds the real thing
 * and nothing is touched, so the same migrations run unchanged everywhere.
 */
interface Part {
  name: string;
  /** A query answering one row `{ missing: boolean }`. */
  missing: string;
  sql: () => string;
}

const standIn = (file: string) => () => fs.readFileSync(path.join(paths.platformSql, file), 'utf8');

/**
 * Where the server has the real extension, the migrations create it: no stand-in then, or the
 * migration's `create extension` would collide with the stand-in's schema.
 */
function extensionStandIn(extension: string, schema: string, file: string): Part {
  return {
    name: extension,
    missing: `select to_regnamespace('${schema}') is null
      and not exists (select from pg_available_extensions where name = '${extension}') as missing`,
    sql: standIn(file),
  };
}

const parts: Part[] = [
  {
    // Roles belong to the cluster: a database created again (db:reset) finds them.
    name: 'roles',
    missing: `select not exists (select from pg_roles where rolname = 'authenticator') as missing`,
    sql: () => ROLES,
  },
  {
    // Grants and default privileges belong to each database, so a recreated one needs them again.
    name: 'API role grants',
    missing: `select not exists (
        select from pg_default_acl d, aclexplode(d.defaclacl) a
        where d.defaclnamespace = 'public'::regnamespace and a.grantee = 'service_role'::regrole
      ) as missing`,
    sql: () => API_GRANTS,
  },
  {
    name: 'extensions schema',
    missing: `select to_regnamespace('extensions') is null as missing`,
    sql: () => EXTENSIONS,
  },
  {
    name: 'auth',
    missing: `select to_regclass('auth.users') is null as missing`,
    sql: () => `${getAuthSchemaSql(true)}\n${AUTH}`,
  },
  {
    name: 'storage',
    missing: `select to_regclass('storage.objects') is null as missing`,
    sql: () => `${getStorageSchemaSql(true)}\n${STORAGE}`,
  },
  {
    // Only lite's storage schema: the real Storage API keeps its own storage.migrations table.
    name: 'storage metadata as objects',
    missing: `select to_regclass('storage.objects') is not null and to_regclass('storage.migrations') is null
      and not exists (select from pg_trigger where tgname = 'decode_lite_metadata' and tgrelid = 'storage.objects'::regclass)
      as missing`,
    sql: () => STORAGE_METADATA,
  },
  {
    name: 'Data API schema reload on DDL',
    missing: `select not exists (select from pg_event_trigger where evtname = 'pgrst_ddl_watch') as missing`,
    sql: () => SCHEMA_RELOAD,
  },
  {
    name: 'realtime',
    missing: `select to_regclass('realtime.messages') is null as missing`,
    sql: standIn('realtime.sql'),
  },
  extensionStandIn('pg_cron', 'cron', 'cron.sql'),
  extensionStandIn('pg_net', 'net', 'net.sql'),
  extensionStandIn('pgmq', 'pgmq', 'pgmq.sql'),
  extensionStandIn('supabase_vault', 'vault', 'vault.sql'),
];

/** Creates every missing part, each in its own transaction; returns the names of those created. */
export async function ensurePlatform(sql: postgres.Sql, log: Log): Promise<string[]> {
  const created: string[] = [];
  for (const part of parts) {
    const [{ missing }] = await sql.unsafe<{ missing: boolean }[]>(part.missing);
    if (!missing) continue;
    await sql.begin((tx) => tx.unsafe(part.sql()));
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

/** Supabase's API roles; `authenticator` is what PostgREST logs in as before switching role. */
const ROLES = /* sql */ `
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role', 'supabase_auth_admin', 'supabase_storage_admin'] loop
    if not exists (select from pg_roles where rolname = role_name) then
      execute format('create role %I nologin noinherit', role_name);
    end if;
  end loop;
  alter role service_role bypassrls;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
end
$$;
grant anon, authenticated, service_role to authenticator;
`;

const API_GRANTS = /* sql */ `
-- As on the platform: the API roles may use public, and what is created there is granted to
-- them by default, so row-level security is what decides.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
create schema if not exists graphql_public;
grant usage on schema graphql_public to anon, authenticated, service_role;
`;

const EXTENSIONS = /* sql */ `
create schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
`;

/** The platform's definitions, which read both the claims object and PostgREST's older per-claim settings. */
const AUTH = /* sql */ `
create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;
grant all on all tables in schema auth to supabase_auth_admin;

-- lite writes user metadata as a JSON string holding the object ('"{\\"locale\\": ...}"');
-- GoTrue writes the object itself, and triggers on auth.users (a new user's profile) read it so.
create or replace function auth.decode_lite_metadata() returns trigger language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(new.raw_user_meta_data) = 'string' then
    new.raw_user_meta_data := (new.raw_user_meta_data #>> '{}')::jsonb;
  end if;
  if jsonb_typeof(new.raw_app_meta_data) = 'string' then
    new.raw_app_meta_data := (new.raw_app_meta_data #>> '{}')::jsonb;
  end if;
  return new;
end;
$$;
create trigger decode_lite_metadata before insert or update on auth.users
  for each row execute function auth.decode_lite_metadata();
`;

const STORAGE = /* sql */ `
grant usage on schema storage to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on all tables in schema storage to supabase_storage_admin;
`;

// Like user metadata, lite writes an object's metadata as a JSON string holding the object; the
// Storage API writes the object itself ({ size, mimetype, ... }), which policies and triggers read.
const STORAGE_METADATA = /* sql */ `
create or replace function storage.decode_lite_metadata() returns trigger language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(new.metadata) = 'string' then
    new.metadata := (new.metadata #>> '{}')::jsonb;
  end if;
  if jsonb_typeof(new.user_metadata) = 'string' then
    new.user_metadata := (new.user_metadata #>> '{}')::jsonb;
  end if;
  return new;
end;
$$;
create trigger decode_lite_metadata before insert or update on storage.objects
  for each row execute function storage.decode_lite_metadata();
`;

/**
 * Supabase's event triggers that tell PostgREST to reload its schema cache after DDL; the
 * devstack listens on the same channel, so a table created from SQL is served at once.
 */
const SCHEMA_RELOAD = /* sql */ `
-- As on the platform: only DDL that changes what the Data API serves notifies (creating an
-- organization's reference sequence, say, does not).
create or replace function extensions.pgrst_ddl_watch() returns event_trigger language plpgsql as $$
declare
  cmd record;
begin
  for cmd in select * from pg_event_trigger_ddl_commands() loop
    if cmd.command_tag in (
      'CREATE SCHEMA', 'ALTER SCHEMA', 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
      'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'CREATE VIEW', 'ALTER VIEW',
      'CREATE MATERIALIZED VIEW', 'ALTER MATERIALIZED VIEW', 'CREATE FUNCTION', 'ALTER FUNCTION',
      'CREATE TRIGGER', 'CREATE TYPE', 'ALTER TYPE', 'CREATE RULE', 'COMMENT'
    ) and cmd.schema_name is distinct from 'pg_temp' then
      notify pgrst, 'reload schema';
      return;
    end if;
  end loop;
end
$$;
create or replace function extensions.pgrst_drop_watch() returns event_trigger language plpgsql as $$
declare
  obj record;
begin
  for obj in select * from pg_event_trigger_dropped_objects() loop
    if obj.object_type in (
      'schema', 'table', 'foreign table', 'view', 'materialized view', 'function', 'trigger', 'type', 'rule'
    ) and obj.is_temporary is false then
      notify pgrst, 'reload schema';
      return;
    end if;
  end loop;
end
$$;
create event trigger pgrst_ddl_watch on ddl_command_end execute procedure extensions.pgrst_ddl_watch();
create event trigger pgrst_drop_watch on sql_drop execute procedure extensions.pgrst_drop_watch();
`;
