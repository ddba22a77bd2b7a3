-- Every (table, column) that refers to `target` through a composite foreign key (org_id, column):
-- merging and deleting move them all, including tables added by later modules.
create function private.tenant_references(target regclass)
returns table (table_name regclass, column_name name)
language sql
stable
set search_path = ''
as $$
  select c.conrelid::regclass, a.attname
  from pg_catalog.pg_constraint c
  join pg_catalog.pg_attribute o on o.attrelid = c.conrelid and o.attnum = c.conkey[1] and o.attname = 'org_id'
  join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
  where c.contype = 'f' and c.confrelid = target and cardinality(c.conkey) = 2;
$$;
