-- The name of a table in public, for the enrolling functions below (migration time only).
create function private.public_table_name(target regclass)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  table_name text;
begin
  select c.relname into table_name
  from pg_catalog.pg_class c
  where c.oid = target and c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p');
  if table_name is null then
    raise exception 'public_table_name: % is not a table in public', target;
  end if;
  return table_name;
end;
$$;
