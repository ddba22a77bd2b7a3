import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations } from '@westwallet/devstack/migrations';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

/** The migration runner on a scratch database of the target server, with migrations of its own. */
describe('applying supabase/migrations', () => {
  const database = `westwallet_migrations_${randomBytes(4).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-migrations-'));
  const log = { info: () => {}, error: () => {} };
  let sql: postgres.Sql;

  beforeAll(async () => {
    await adminSql.unsafe(`create database ${database}`);
    const url = new URL(target.dbUrl);
    url.pathname = `/${database}`;
    sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    await adminSql.unsafe(`drop database if exists ${database} with (force)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const migration = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);

  it('applies pending migrations in version order and records them as the Supabase CLI does', async () => {
    migration('20260102000000_second.sql', 'alter table public.things add column label text;');
    migration(
      '20260101000000_first.sql',
      'create table public.things (id int primary key);\ncreate index on public.things (id);',
    );
    const result = await applyMigrations(sql, dir, log);
    expect(result).toEqual({ applied: ['20260101000000', '20260102000000'], fresh: true });
    const history =
      await sql`select version, name, statements from supabase_migrations.schema_migrations order by version`;
    expect(history).toEqual([
      {
        version: '20260101000000',
        name: 'first',
        statements: ['create table public.things (id int primary key)', 'create index on public.things (id)'],
      },
      { version: '20260102000000', name: 'second', statements: ['alter table public.things add column label text'] },
    ]);
    expect((await applyMigrations(sql, dir, log)).applied).toEqual([]);
  });

  it('rolls a failing migration back whole and names its file and line', async () => {
    migration(
      '20260103000000_broken.sql',
      'create table public.half (id int);\n\nselect no_such_column from public.things;',
    );
    await expect(applyMigrations(sql, dir, log)).rejects.toThrow(
      /20260103000000_broken\.sql failed: column "no_such_column" does not exist \(SQLSTATE 42703\) at line 3/,
    );
    const [{ half }] = await sql`select to_regclass('public.half') as half`;
    expect(half).toBeNull();
    const versions =
      await sql`select version from supabase_migrations.schema_migrations where version = '20260103000000'`;
    expect(versions).toHaveLength(0);
    fs.rmSync(path.join(dir, '20260103000000_broken.sql'));
  });

  it('refuses a migration file that is not named <timestamp>_<name>.sql', async () => {
    migration('add_things.sql', 'select 1;');
    await expect(applyMigrations(sql, dir, log)).rejects.toThrow(/add_things\.sql: migration files are named/);
    fs.rmSync(path.join(dir, 'add_things.sql'));
  });
});
