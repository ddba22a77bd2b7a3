import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, asRole } from '../helpers/db.ts';

/**
 * What every migration relies on from the platform: the API roles, the auth helpers reading the
 * JWT claims PostgREST sets, and default privileges that deny browsers what no migration granted.
 */
describe('the API roles and auth helpers', () => {
  const user = randomUUID();
  const table = `public.roles_probe_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await adminSql.unsafe(`create table ${table} (id int primary key, owner uuid not null)`);
    await adminSql.unsafe(`insert into ${table} values (1, '${user}'), (2, '${randomUUID()}')`);
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop table if exists ${table}`);
  });

  it('reads the caller from the JWT claims as PostgREST sets them', async () => {
    const claims = { role: 'authenticated', sub: user, email: 'eva@example.se', aal: 'aal1' } as const;
    const [row] = await asRole(
      claims,
      (sql) => sql`select auth.uid() as uid, auth.role() as role, auth.email() as email,
                         auth.jwt() ->> 'aal' as aal, current_user as db_role`,
    );
    expect(row).toEqual({
      uid: user,
      role: 'authenticated',
      email: 'eva@example.se',
      aal: 'aal1',
      db_role: 'authenticated',
    });
  });

  it('gives anon no user', async () => {
    const [row] = await asRole({ role: 'anon' }, (sql) => sql`select auth.uid() as uid, current_user as db_role`);
    expect(row).toEqual({ uid: null, db_role: 'anon' });
  });

  it('grants browsers nothing on a new public table until a migration grants it, then RLS decides', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      await expect(asRole({ role, sub: user }, (sql) => sql.unsafe(`select id from ${table}`))).rejects.toMatchObject({
        code: '42501',
      });
    }

    await adminSql.unsafe(`grant select on ${table} to authenticated`);
    await adminSql.unsafe(`alter table ${table} enable row level security`);
    await adminSql.unsafe(
      `create policy "owners read" on ${table} for select to authenticated using (owner = (select auth.uid()))`,
    );
    const own = await asRole({ role: 'authenticated', sub: user }, (sql) => sql.unsafe(`select id from ${table}`));
    expect(own).toEqual([{ id: 1 }]);
  });

  it('lets nobody but service_role execute a new public function until it is granted', async () => {
    const fn = `${table}_fn`;
    await adminSql.unsafe(`create function ${fn}() returns int language sql as 'select 1'`);
    try {
      for (const role of ['anon', 'authenticated'] as const) {
        await expect(asRole({ role, sub: user }, (sql) => sql.unsafe(`select ${fn}()`))).rejects.toMatchObject({
          code: '42501',
        });
      }
      const [row] = await asRole({ role: 'service_role' }, (sql) => sql.unsafe(`select ${fn}() as one`));
      expect(row).toEqual({ one: 1 });
    } finally {
      await adminSql.unsafe(`drop function ${fn}()`);
    }
  });

  it('lets service_role bypass row-level security, as the secret key does', async () => {
    await adminSql.unsafe(`alter table ${table} enable row level security`);
    const rows = await asRole({ role: 'service_role' }, (sql) => sql.unsafe(`select id from ${table} order by id`));
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('keeps auth.users away from the API roles', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      await expect(asRole({ role, sub: user }, (sql) => sql`select count(*) from auth.users`)).rejects.toMatchObject({
        code: '42501',
      });
    }
  });
});
