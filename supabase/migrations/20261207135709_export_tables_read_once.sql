-- A backup page reads the list of backed-up tables (a walk of the catalog) once, not twice.
-- Touches: private.export_table_page.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.export_table_page(table_name text, org_id uuid, after_key text DEFAULT NULL::text, max_rows integer DEFAULT 1000)
 RETURNS TABLE(key text, row_data jsonb)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;
