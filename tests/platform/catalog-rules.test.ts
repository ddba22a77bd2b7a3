import type postgres from 'postgres';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';
import type { ExposedObject } from '../setup/global-setup.ts';

/**
 * The catalog rules every object exposed in `public` must follow (RLS, policies, indexes, keys,
 * grants), checked for each object as the migrations left it (`exposedObjects`, taken before any
 * suite runs), so a table, view or function created tomorrow is covered without editing this
 * file; and the check itself, against patterns planted where they cannot stay. What the same
 * objects let users do through the Data API is the isolation matrix (isolation-matrix.test.ts).
 */

const exposed = inject('exposedObjects');
/** it.each over catalog objects, each case named by the object (`public.tags: ...`). */
const each = <T extends ExposedObject>(objects: T[]) => it.each(objects.map((o): [string, T] => [o.label, o]));
const oids = exposed.map((o) => o.oid);
type Sql = postgres.Sql | postgres.TransactionSql;

type Problem = { oid: number; label: string; problem: string };

/** What breaks the rules in `schema` (all of it, or only the objects in `oids`). */
async function catalogProblems(sql: Sql, schema: string, oids: number[] | null): Promise<Problem[]> {
  return sql<Problem[]>`
    with rel as (
      select c.oid, c.relname, c.relkind, c.relrowsecurity, c.reloptions, format('%I.%I', n.nspname, c.relname) as label,
             exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as has_org,
             exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped) as has_user
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm')
        and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    ), fn as (
      select p.oid, p.prosecdef, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as label
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = ${schema}
        and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    ), pol as (
      select r.oid, r.label, r.has_org, r.has_user, p.polname, p.polcmd, p.polpermissive, p.polroles,
             pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
      from rel r join pg_policy p on p.polrelid = r.oid
    )
    select oid::int, label, problem from (
      select oid, label, 'row-level security is disabled' as problem from rel where relkind in ('r', 'p') and not relrowsecurity
      union all select oid, label, format('policy %I applies to %s', polname, case when 0 = any (polroles) then 'public' else 'anon' end)
      from pol where 0 = any (polroles) or 'anon'::regrole = any (polroles)
      union all select oid, label, format('policy %I is for all commands', polname) from pol where polcmd = '*'
      union all select oid, label, format('policy %I lets everyone write (true)', polname)
      from pol where polcmd <> 'r' and 'true' in (qual, check_expr)
      -- Reading everything is only for reference data: tables that belong to no tenant and no user.
      union all select oid, label, format('policy %I lets everyone read (true) rows that belong to someone', polname)
      from pol where polcmd = 'r' and qual = 'true' and (has_org or has_user)
      union all select oid, label, format('%s permissive %s policies apply to %s', count(*),
               case polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
               case when role = 0 then 'public' else role::regrole::text end)
      from pol, unnest(polroles) as role where polpermissive group by oid, label, polcmd, role having count(*) > 1
      union all select oid, label, 'has no index whose first column is org_id' from rel
      where relkind in ('r', 'p') and has_org and not exists (
        select from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
        where i.indrelid = rel.oid and a.attname = 'org_id')
      -- A key between two tenant tables pairs org_id with org_id, so it cannot cross tenants.
      union all select r.oid, r.label, format('foreign key %I to tenant table %s leaves org_id out', k.conname, k.confrelid::regclass)
      from rel r join pg_constraint k on k.conrelid = r.oid and k.contype = 'f'
      join pg_attribute ta on ta.attrelid = k.conrelid and ta.attname = 'org_id'
      join pg_attribute fa on fa.attrelid = k.confrelid and fa.attname = 'org_id' and not fa.attisdropped
      where array_position(k.conkey, ta.attnum) is distinct from array_position(k.confkey, fa.attnum)
         or array_position(k.conkey, ta.attnum) is null
      union all select oid, label, 'belongs to no organization (org_id) or user (user_id), yet authenticated may write it'
      from rel where relkind in ('r', 'p') and not has_org and not has_user and relname <> 'organizations'
        and (has_table_privilege('authenticated', oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
             or has_any_column_privilege('authenticated', oid, 'INSERT, UPDATE'))
      union all select oid, label, 'view is not security_invoker' from rel
      where relkind = 'v' and not exists (select from unnest(reloptions) o where o ~* '^security_invoker=(true|on|yes|1)$')
      -- Postgres refuses a write to a view it cannot update with 55000, which the Data API
      -- answers 500: such a view refuses writes itself (private.refuse_view_write).
      union all select oid, label, 'view cannot take writes and has no trigger that refuses them' from rel
      where relkind = 'v' and pg_relation_is_updatable(oid, true) & 28 <> 28
      -- A materialized view has no row-level security: whoever may read it reads every tenant.
      union all select oid, label, 'materialized view is readable by authenticated' from rel
      where relkind = 'm' and has_table_privilege('authenticated', oid, 'SELECT')
      union all select oid, label, 'anon has privileges on it' from rel
      where has_table_privilege('anon', oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         or has_any_column_privilege('anon', oid, 'SELECT, INSERT, UPDATE, REFERENCES')
      union all select oid, label, 'is security definer' from fn where prosecdef
      union all select oid, label, 'anon may execute it' from fn where has_function_privilege('anon', oid, 'EXECUTE')
    ) found
    where ${oids === null} or oid::int = any (${oids ?? []}::int[])
    order by label, problem`;
}

describe('the catalog', () => {
  let problems: Problem[];
  beforeAll(async () => {
    problems = await catalogProblems(adminSql, 'public', oids);
  });

  each(exposed)('%s follows the tenancy rules', (_, { oid }) => {
    expect(problems.filter((p) => p.oid === oid).map((p) => `${p.label}: ${p.problem}`)).toEqual([]);
  });

  it('flags a migrated table once its row-level security is off (in a rolled-back transaction)', async () => {
    const [table] = exposed.filter((o) => o.kind === 'table');
    const found = await rolledBack(async (sql) => {
      await sql.unsafe(`alter table ${table.label} disable row level security`);
      return catalogProblems(sql, 'public', oids);
    });
    expect(found).toContainEqual({ oid: table.oid, label: table.label, problem: 'row-level security is disabled' });
  });

  it('catches each forbidden pattern, planted in a throwaway schema that is rolled back', async () => {
    const found = await rolledBack(async (sql) => {
      await sql.unsafe(`
        create schema matrix_probe;
        create table matrix_probe.organizations (id uuid primary key);
        alter table matrix_probe.organizations enable row level security;
        -- No RLS, no org_id index, readable by anon.
        create table matrix_probe.notes (id uuid primary key, org_id uuid not null references matrix_probe.organizations);
        grant select on matrix_probe.notes to anon;
        -- RLS on but open: for all, to public, using (true); two permissive insert policies; a key across tenants.
        create table matrix_probe.items (id uuid primary key, org_id uuid not null, note_id uuid references matrix_probe.notes);
        create index on matrix_probe.items (org_id);
        alter table matrix_probe.items enable row level security;
        create policy anyone on matrix_probe.items using (true);
        create policy "insert a" on matrix_probe.items for insert to authenticated with check (true);
        create policy "insert b" on matrix_probe.items for insert to authenticated with check (org_id is not null);
        -- Nobody's rows, yet writable.
        create table matrix_probe.settings (key text primary key, value text);
        alter table matrix_probe.settings enable row level security;
        grant update on matrix_probe.settings to authenticated;
        create view matrix_probe.item_list as select id, org_id from matrix_probe.items;
        create view matrix_probe.item_counts with (security_invoker = true) as
          select org_id, count(*) from matrix_probe.items group by org_id;
        create function matrix_probe.elevate() returns int language sql security definer as 'select 1';
        grant execute on function matrix_probe.elevate() to anon;
      `);
      return catalogProblems(sql, 'matrix_probe', null);
    });
    expect(found.map((p) => `${p.label}: ${p.problem}`).sort()).toEqual(
      [
        'matrix_probe.elevate(): anon may execute it',
        'matrix_probe.elevate(): is security definer',
        'matrix_probe.item_counts: view cannot take writes and has no trigger that refuses them',
        'matrix_probe.item_list: view is not security_invoker',
        'matrix_probe.items: 2 permissive insert policies apply to authenticated',
        'matrix_probe.items: foreign key items_note_id_fkey to tenant table matrix_probe.notes leaves org_id out',
        'matrix_probe.items: policy "insert a" lets everyone write (true)',
        'matrix_probe.items: policy anyone applies to public',
        'matrix_probe.items: policy anyone is for all commands',
        'matrix_probe.items: policy anyone lets everyone write (true)',
        'matrix_probe.notes: anon has privileges on it',
        'matrix_probe.notes: has no index whose first column is org_id',
        'matrix_probe.notes: row-level security is disabled',
        'matrix_probe.settings: belongs to no organization (org_id) or user (user_id), yet authenticated may write it',
      ].sort(),
    );
  });
});

// 2. Behaviour through the Data API ---------------------------------------------------------
