-- The baseline the insert scenarios compare with: a copy of public.transactions, rows included,
-- with its columns, defaults, checks, indexes, foreign keys and row-level security, but none of
-- our triggers (the reference comes from a sequence instead). It holds the same rows because an
-- insert's cost depends on the size of what it updates: into an empty copy every index page
-- stays in memory, while the real table's pages for a thousand households compete for the
-- buffer cache.
create function bench.create_plain_copy()
returns void
language plpgsql
set search_path = ''
as $$
declare
  columns text;
  constraint_def text;
begin
  create sequence bench.plain_reference_seq;
  create table bench.transactions_plain (like public.transactions including all);
  alter table bench.transactions_plain
    alter column reference set default 'P' || lpad(nextval('bench.plain_reference_seq')::text, 6, '0');
  select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into columns
  from pg_attribute a
  where a.attrelid = 'public.transactions'::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
  execute format('insert into bench.transactions_plain (%s) select %s from public.transactions', columns, columns);
  -- The table's own foreign keys, checked on every insert as on the real table (`like` copies
  -- none). The copied rows came from the real table, so they need no second validation.
  for constraint_def in
    select pg_get_constraintdef(c.oid) from pg_constraint c
    where c.conrelid = 'public.transactions'::regclass and c.contype = 'f' order by c.conname
  loop
    execute format('alter table bench.transactions_plain add %s not valid', constraint_def);
  end loop;
  alter table bench.transactions_plain enable row level security;
  create policy "members add records" on bench.transactions_plain for insert to authenticated
    with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
  create policy "members read live records" on bench.transactions_plain for select to authenticated
    using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]) and deleted_at is null);
  grant usage on sequence bench.plain_reference_seq to authenticated;
  grant select, insert on bench.transactions_plain to authenticated;
end;
$$;
