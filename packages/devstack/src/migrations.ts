import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { splitSqlStatements } from '@supabase/lite';
import type postgres from 'postgres';
import type { Log } from './log.ts';

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

const MIGRATION_FILE = /^(\d{14})_(.+)\.sql$/;

/** The migrations folder in version order, named as the Supabase CLI names them. */
export function listMigrations(dir: string): MigrationFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new Error(`${file}: migration files are named <14-digit timestamp>_<what_it_does>.sql`);
      return { version: match[1], name: match[2], file: path.join(dir, file) };
    })
    .sort((a, b) => a.version.localeCompare(b.version));
}

/** The history table exactly as the Supabase CLI creates it, so `supabase db push` agrees with us. */
const HISTORY = /* sql */ `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
alter table supabase_migrations.schema_migrations add column if not exists created_by text;
alter table supabase_migrations.schema_migrations add column if not exists idempotency_key text unique;
alter table supabase_migrations.schema_migrations add column if not exists rollback text[];
create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);
`;

export interface MigrationResult {
  applied: string[];
  /** True when the database had no migration history before: a new database, to be seeded. */
  fresh: boolean;
}

/** Applies each pending migration in its own transaction together with its history row. */
export async function applyMigrations(sql: postgres.Sql, dir: string, log: Log): Promise<MigrationResult> {
  const [{ existed }] = await sql<{ existed: boolean }[]>`
    select to_regclass('supabase_migrations.schema_migrations') is not null as existed`;
  await sql.unsafe(HISTORY);
  const done = new Set(
    (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`).map((r) => r.version),
  );
  const files = listMigrations(dir);
  const unknown = [...done].filter((version) => !files.some((m) => m.version === version));
  if (unknown.length > 0) {
    log.error(`the database has migrations that supabase/migrations lacks: ${unknown.join(', ')}`);
  }

  const applied: string[] = [];
  for (const migration of files.filter((m) => !done.has(m.version))) {
    const text = fs.readFileSync(migration.file, 'utf8');
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe(text);
        await tx`
          insert into supabase_migrations.schema_migrations (version, name, statements)
          values (${migration.version}, ${migration.name}, ${splitSqlStatements(text)})`;
      });
    } catch (error) {
      throw new Error(`migration ${path.basename(migration.file)} failed: ${describeSqlError(error, text)}`);
    }
    applied.push(migration.version);
  }
  if (applied.length > 0) log.info(`applied ${applied.length} migration(s), latest ${applied.at(-1)}`);
  return { applied, fresh: !existed || done.size === 0 };
}

/** Runs the seed in one transaction and records its hash as the CLI does. */
export async function applySeed(sql: postgres.Sql, file: string, log: Log): Promise<void> {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(text);
      await tx`
        insert into supabase_migrations.seed_files (path, hash)
        values (${'supabase/seed.sql'}, ${createHash('sha256').update(text).digest('hex')})
        on conflict (path) do update set hash = excluded.hash`;
    });
  } catch (error) {
    throw new Error(`seed ${path.basename(file)} failed: ${describeSqlError(error, text)}`);
  }
  log.info('seeded the database from supabase/seed.sql');
}

/** Postgres reports a character offset; a line number is what a person looks for. */
export function describeSqlError(error: unknown, text: string): string {
  const e = error as { message?: string; position?: string; code?: string };
  const line = e.position ? text.slice(0, Number(e.position)).split('\n').length : undefined;
  return `${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}${line ? ` at line ${line}` : ''}`;
}
