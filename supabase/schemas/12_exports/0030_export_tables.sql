-- The tables a backup holds: every table in public with an org_id that members may read, in an
-- order a restore can insert them in (a table after the tables its foreign keys point at; the
-- few cycles, like categories' parent, are broken by the restore deferring those columns).
create or replace function private.export_tables()
returns table (table_name text, depth integer)
language sql
stable
set search_path = ''
as $$
  with recursive tenant as (
    select c.oid, c.relname::text as table_name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)
      and has_table_privilege('authenticated', c.oid, 'select')
  ),
  edges as (
    select distinct k.conrelid as child, k.confrelid as parent
    from pg_constraint k
    where k.contype = 'f' and k.conrelid <> k.confrelid
      and k.conrelid in (select oid from tenant) and k.confrelid in (select oid from tenant)
  ),
  levels as (
    select t.oid, 0 as depth from tenant t
    union all
    select e.child, l.depth + 1 from levels l join edges e on e.parent = l.oid where l.depth < 20
  )
  select t.table_name, max(l.depth)::integer
  from tenant t join levels l on l.oid = t.oid
  group by t.table_name
  order by 2, 1;
$$;

comment on function private.export_tables is 'Tables a backup holds, parents before children.';

grant execute on function private.export_tables to authenticated;

-- One page of a table's rows of an organization as JSON, in the order of its key (the primary
-- key's first column other than org_id: a uuid or a bigint identity, unique within the
-- organization; org_id itself where it is the whole key), the key as text for the next page's
-- cursor. Security invoker: row-level security shows the caller what they may read, so records in
-- the trash stay out, and with them the rows that cannot exist without one (a foreign key whose
-- columns are all not null, to another table of the backup: a trashed transaction's splits and
-- categorization), which a restore would otherwise find pointing at nothing.
create or replace function private.export_table_page(
  table_name text,
  org_id uuid,
  after_key text default null,
  max_rows integer default 1000
)
returns table (key text, row_data jsonb)
language plpgsql
stable
set search_path = ''
as $$
declare
  key_column text;
  key_type text;
  owners text;
  -- Read once: a backup asks for thousands of pages, and this walks the catalog.
  backed_up text[] := array(select e.table_name from private.export_tables() e);
begin
  if not export_table_page.table_name = any (backed_up) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'table_name: not a table a backup holds';
  end if;
  if max_rows is null or max_rows not between 1 and 5000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 5000';
  end if;
  select a.attname, format_type(a.atttypid, a.atttypmod) into key_column, key_type
  from pg_index i
  cross join lateral unnest(i.indkey) with ordinality k(attnum, position)
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
  where i.indrelid = format('public.%I', table_name)::regclass and i.indisprimary
  order by a.attname = 'org_id', k.position
  limit 1;
  select string_agg(format('exists (select from public.%I p where %s)', pc.relname,
                           (select string_agg(format('p.%I = r.%I', pa.attname, ca.attname), ' and ')
                            from unnest(c.conkey, c.confkey) m(child, parent)
                            join pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = m.child
                            join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = m.parent)),
                    ' and ')
  into owners
  from pg_constraint c
  join pg_class pc on pc.oid = c.confrelid
  where c.contype = 'f' and c.conrelid = format('public.%I', table_name)::regclass and c.confrelid <> c.conrelid
    and pc.relnamespace = 'public'::regnamespace
    and pc.relname = any (backed_up)
    and not exists (select from unnest(c.conkey) k(attnum)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
                    where not a.attnotnull);
  return query execute format(
    'select r.%1$I::text, to_jsonb(r) from public.%2$I r where r.org_id = $1 and ($2::text is null or r.%1$I > $2::%3$s)
       and %4$s
     order by r.%1$I limit $3',
    key_column, table_name, key_type, coalesce(owners, 'true'))
    using org_id, after_key, max_rows;
end;
$$;

comment on function private.export_table_page is 'A page of one backup table''s rows of an organization as JSON, by primary key.';

grant execute on function private.export_table_page to authenticated;
