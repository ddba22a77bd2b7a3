import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serviceClient } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';

/**
 * The Data API keeps what it learns from the schema (the tables, their columns and how each
 * column's values are written in JSON) until `notify pgrst, 'reload schema'`, which the DDL event
 * triggers send: what a migration adds must be served, with its values written as PostgREST
 * writes them, as soon as the reload is through.
 */
const table = `schema_probe_${randomUUID().slice(0, 8)}`;
const view = `${table}_view`;
// Neither is in the generated types: reach them through an untyped client.
const client = serviceClient() as unknown as SupabaseClient;

describe("the Data API's schema cache", () => {
  beforeAll(async () => {
    await adminSql.unsafe(`
      create table public.${table} (id int primary key, amount bigint not null);
      grant select on public.${table} to service_role;
      insert into public.${table} values (1, 5000000000);
    `);
    await vi.waitFor(
      async () => expect((await client.from(table).select('*')).data).toEqual([{ id: 1, amount: 5000000000 }]),
      { timeout: 10_000, interval: 50 },
    );
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop view if exists public.${view}; drop table if exists public.${table}`);
  });

  it("serves a column added after the first requests, once the schema is reloaded, with PostgREST's values", async () => {
    await adminSql.unsafe(`
      alter table public.${table} add column settled boolean, add column rate numeric(12, 4),
        add column due date, add column detail jsonb, add column tags text[];
      update public.${table} set settled = true, rate = 1.5, due = '2026-12-07',
        detail = '{"kind": "invoice", "lines": [1, 2]}', tags = '{a,b}';
    `);
    await adminSql`notify pgrst, 'reload schema'`;
    await expect
      .poll(async () => (await client.from(table).select('*')).data, { timeout: 10_000, interval: 50 })
      .toEqual([
        {
          id: 1,
          amount: 5000000000,
          settled: true,
          rate: 1.5,
          due: '2026-12-07',
          detail: { kind: 'invoice', lines: [1, 2] },
          tags: ['a', 'b'],
        },
      ]);
  });

  it('writes a column added after the first requests, once the schema is reloaded', async () => {
    await adminSql.unsafe(`
      grant insert on public.${table} to service_role;
      alter table public.${table} add column note jsonb, add column labels text[];
    `);
    await adminSql`notify pgrst, 'reload schema'`;
    const row = { id: 2, amount: 2, note: { kind: 'invoice', lines: [1, 2] }, labels: ['a', 'b'] };
    await expect
      .poll(async () => (await client.from(table).insert(row).select('id, amount, note, labels')).data, {
        timeout: 10_000,
        interval: 50,
      })
      .toEqual([row]);
    expect(await adminSql`delete from ${adminSql(table)} where id = 2 returning note, labels`).toEqual([
      { note: row.note, labels: row.labels },
    ]);
  });

  it('serves a view created after the first requests, once the schema is reloaded', async () => {
    await adminSql.unsafe(`
      create view public.${view} as
        select id, amount * 2 as doubled, (amount > 0)::boolean as positive, '{"x": 1}'::jsonb as extra
        from public.${table};
      grant select on public.${view} to service_role;
    `);
    await expect
      .poll(async () => (await client.from(view).select('*')).data, { timeout: 10_000, interval: 50 })
      .toEqual([{ id: 1, doubled: 10000000000, positive: true, extra: { x: 1 } }]);
  });

  it('answers a table it does not know with 404 PGRST205, as PostgREST', async () => {
    const { status, error } = await client.from(`${table}_missing`).select('*');
    expect({ status, code: error?.code }).toEqual({ status: 404, code: 'PGRST205' });
  });
});

describe('relationships the Data API embeds by', () => {
  const prefix = `rel_${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await adminSql.unsafe(`drop table if exists public.${prefix}_note, public.${prefix}_link, public.${prefix}_tag,
      public.${prefix}_item, public.${prefix}_asset, public.${prefix}_owner cascade`);
  });

  it('takes a table for a many-to-many junction only when its primary key holds both keys, as PostgREST', async () => {
    // item and tag are joined by link (its key is both ids); note has keys to both too, but its own
    // id as key, so it is no junction: item -> tag stays one relationship, not an ambiguous two.
    await adminSql.unsafe(`
      create table public.${prefix}_item (id int primary key);
      create table public.${prefix}_tag (id int primary key, name text not null);
      create table public.${prefix}_link (
        item_id int references public.${prefix}_item, tag_id int references public.${prefix}_tag,
        primary key (item_id, tag_id));
      create table public.${prefix}_note (
        id int primary key, item_id int not null references public.${prefix}_item,
        tag_id int not null references public.${prefix}_tag);
      grant select on public.${prefix}_item, public.${prefix}_tag, public.${prefix}_link, public.${prefix}_note
        to service_role;
      insert into public.${prefix}_item values (1);
      insert into public.${prefix}_tag values (1, 'a'), (2, 'b');
      insert into public.${prefix}_link values (1, 1), (1, 2);
      insert into public.${prefix}_note values (1, 1, 2);
    `);
    await adminSql`notify pgrst, 'reload schema'`;
    await expect
      .poll(
        async () => {
          const { data, error } = await client.from(`${prefix}_item`).select(`id, ${prefix}_tag(name)`);
          const rows = data as { id: number; [tags: string]: unknown }[] | null;
          // The embedded rows come in no promised order.
          return (
            error?.code ??
            rows?.map((row) => [row.id, (row[`${prefix}_tag`] as { name: string }[]).map((t) => t.name).sort()])
          );
        },
        { timeout: 10_000, interval: 50 },
      )
      .toEqual([[1, ['a', 'b']]]);
  });

  it('embeds by a foreign key added after the first requests, and no longer once it is dropped', async () => {
    // What a relationship resolves to is kept per schema cache: a reload must add and drop it.
    await adminSql.unsafe(`
      create table public.${prefix}_owner (id int primary key, name text not null);
      create table public.${prefix}_asset (id int primary key, owner_id int);
      grant select on public.${prefix}_owner, public.${prefix}_asset to service_role;
      insert into public.${prefix}_owner values (1, 'Ada');
      insert into public.${prefix}_asset values (1, 1);
    `);
    await adminSql`notify pgrst, 'reload schema'`;
    const embedded = async () => {
      const { data, error } = await client.from(`${prefix}_asset`).select(`id, owner:${prefix}_owner(name)`);
      return error?.code ?? data;
    };
    // Without a foreign key there is nothing to embed by: PostgREST's PGRST200.
    await expect.poll(embedded, { timeout: 10_000, interval: 50 }).toBe('PGRST200');
    await adminSql.unsafe(`alter table public.${prefix}_asset add constraint ${prefix}_asset_owner
      foreign key (owner_id) references public.${prefix}_owner`);
    await adminSql`notify pgrst, 'reload schema'`;
    await expect.poll(embedded, { timeout: 10_000, interval: 50 }).toEqual([{ id: 1, owner: { name: 'Ada' } }]);
    await adminSql.unsafe(`alter table public.${prefix}_asset drop constraint ${prefix}_asset_owner`);
    await adminSql`notify pgrst, 'reload schema'`;
    await expect.poll(embedded, { timeout: 10_000, interval: 50 }).toBe('PGRST200');
  });
});
