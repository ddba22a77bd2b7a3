create function private.list_trash(org_id uuid, of_table text, max_rows integer, before_deleted_at timestamptz, before_id uuid)
returns table (table_name text, id uuid, reference text, deleted_at timestamptz, deleted_by uuid, record jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  tables text[];
  query text;
begin
  perform private.require_org_role(org_id, 'viewer');
  if max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 1000';
  end if;
  if list_trash.of_table is not null then
    perform private.record_table(list_trash.of_table);
  end if;
  select array_agg(t.table_name order by t.table_name) into tables
  from private.tracked_tables t
  where t.is_record and (list_trash.of_table is null or t.table_name = list_trash.of_table);
  select string_agg(format(
    $q$(select %1$L::text, r.id, r.reference, r.deleted_at, r.deleted_by, to_jsonb(r) from public.%1$I r
        where r.org_id = $1 and r.deleted_at is not null and ($3 is null or (r.deleted_at, r.id) < ($3, $4))
        order by r.deleted_at desc, r.id desc limit $2)$q$, t), ' union all ')
  into query
  from unnest(tables) t;
  if query is null then
    return;
  end if;
  return query execute format('select * from (%s) trash order by 4 desc, 2 desc limit $2', query)
    using org_id, max_rows, before_deleted_at, before_id;
end;
$$;

grant execute on function private.list_trash(uuid, text, integer, timestamptz, uuid) to authenticated;

create function public.list_trash(
  org_id uuid,
  of_table text default null,
  max_rows integer default 50,
  before_deleted_at timestamptz default null,
  before_id uuid default null
)
returns table (table_name text, id uuid, reference text, deleted_at timestamptz, deleted_by uuid, record jsonb)
language sql
stable
set search_path = ''
as $$
  select * from private.list_trash(org_id, of_table, max_rows, before_deleted_at, before_id);
$$;

comment on function public.list_trash is
  'The organization''s trash, newest first; pass the last row''s deleted_at and id to get the next page.';

grant execute on function public.list_trash(uuid, text, integer, timestamptz, uuid) to authenticated;
