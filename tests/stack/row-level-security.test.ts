import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anonClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { untyped } from '../helpers/organizations.ts';

/**
 * The stack's end-to-end proof: users signed up through Auth, a table with row-level security
 * created by the test itself (not by a migration), reached through the Data API with supabase-js.
 */
const table = `rls_proof_${randomUUID().slice(0, 8)}`;
// The table is not in the generated types: reach it through an untyped view of the client.
const from = (user: Pick<TestUser, 'client'>) => untyped(user).from(table);

describe('a table with row-level security, reached through the Data API', () => {
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    await adminSql.unsafe(`
      create table public.${table} (
        id bigint generated always as identity primary key,
        owner_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
        body text not null
      );
      grant select, insert on public.${table} to authenticated;
      alter table public.${table} enable row level security;
      create policy "owners read their rows" on public.${table} for select to authenticated
        using (owner_id = (select auth.uid()));
      create policy "owners add their rows" on public.${table} for insert to authenticated
        with check (owner_id = (select auth.uid()));
    `);
    [alice, bob] = await Promise.all([signUpUser('alice'), signUpUser('bob')]);
    // The Data API reloads its schema cache on the DDL event trigger's notification.
    await vi.waitFor(
      async () => {
        const { error } = await from(alice).select('id');
        if (error) throw new Error(`the Data API does not serve ${table} yet: ${error.message}`);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop table if exists public.${table}`);
  });

  it('lets each user write rows and read only their own', async () => {
    const a = await from(alice).insert({ body: 'alice: groceries 412 kr' }).select().single();
    const b = await from(bob).insert({ body: 'bob: fuel 650 kr' }).select().single();
    expect(a.error).toBeNull();
    expect(b.error).toBeNull();
    expect(a.data).toMatchObject({ owner_id: alice.user.id });

    const aliceSees = await from(alice).select('body, owner_id');
    const bobSees = await from(bob).select('body, owner_id');
    expect(aliceSees.data).toEqual([{ body: 'alice: groceries 412 kr', owner_id: alice.user.id }]);
    expect(bobSees.data).toEqual([{ body: 'bob: fuel 650 kr', owner_id: bob.user.id }]);
  });

  it("refuses a row written in another user's name", async () => {
    const { error } = await from(bob).insert({ body: 'forged', owner_id: alice.user.id });
    expect(error?.code).toBe('42501');
    const [{ count }] = await adminSql.unsafe(
      `select count(*)::int as count from public.${table} where body = 'forged'`,
    );
    expect(count).toBe(0);
  });

  it('shows an anonymous client nothing: the table is not granted to anon', async () => {
    const { data, error } = await from({ client: anonClient() }).select('*');
    expect(error).toMatchObject({ code: '42501' });
    expect(data).toBeNull();
  });
});
