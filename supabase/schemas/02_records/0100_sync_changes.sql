create function public.sync_changes(cursor text default null, max_rows integer default 500, org_id uuid default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  parts text[];
  horizon xid8 := '0';
  after_xid xid8;
  after_id bigint;
  next_horizon xid8;
  page jsonb;
  fetched integer;
  changed_table text;
  table_changes jsonb;
  changes jsonb := '[]';
begin
  perform private.require_user();
  if max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 1000';
  end if;
  if cursor is not null then
    if cursor !~ '^[0-9]{1,20}(\.[0-9]{1,20}\.[0-9]{1,20}\.[0-9]{1,20})?$' then
      raise sqlstate 'PT400' using message = 'SYNC_CURSOR_INVALID', detail = 'Pass the cursor from the previous answer, or null.';
    end if;
    parts := string_to_array(cursor, '.');
    horizon := parts[1]::xid8;
    if cardinality(parts) = 4 then
      after_xid := parts[2]::xid8;
      after_id := parts[3]::bigint;
      next_horizon := parts[4]::xid8;
    end if;
  end if;
  next_horizon := coalesce(next_horizon, pg_snapshot_xmin(pg_current_snapshot()));

  -- One row more than asked tells whether another page follows.
  select coalesce(jsonb_agg(to_jsonb(c) order by c.xid, c.id), '[]'), count(*)
  into page, fetched
  from private.changes_since(horizon, after_xid, after_id, max_rows + 1, org_id) c;
  if fetched > max_rows then
    page := page - max_rows;
  end if;

  -- The rows as they are now, read as the caller (RLS applies): a row that is gone, in the
  -- trash or no longer visible comes back as deleted.
  for changed_table in select distinct e ->> 'table_name' from jsonb_array_elements(page) e loop
    execute format(
      $sql$
        select coalesce(jsonb_agg(jsonb_build_object(
          'table', c.table_name, 'id', c.record_id, 'org_id', c.org_id, 'operation', c.operation,
          'deleted', r.id is null, 'record', to_jsonb(r)
        ) order by c.xid, c.id), '[]')
        from (
          select distinct on (c.record_id) c.table_name, c.record_id, c.org_id, c.operation, c.xid::xid8 as xid, c.id
          from jsonb_to_recordset($1) as c (xid text, id bigint, org_id uuid, table_name text, record_id uuid, operation text)
          where c.table_name = %1$L
          order by c.record_id, c.xid::xid8 desc, c.id desc
        ) c
        left join public.%1$I r on r.id = c.record_id
      $sql$,
      changed_table
    ) into table_changes using page;
    changes := changes || table_changes;
  end loop;

  return jsonb_build_object(
    'changes', changes,
    'has_more', fetched > max_rows,
    'cursor', case
      when fetched > max_rows then
        format('%s.%s.%s.%s', horizon, page -> -1 ->> 'xid', page -> -1 ->> 'id', next_horizon)
      else next_horizon::text
    end
  );
end;
$$;

comment on function public.sync_changes is
  'Rows of the caller''s organizations changed after `cursor` (null: everything), deletions included, and the cursor to pass next time.';

grant execute on function public.sync_changes(text, integer, uuid) to authenticated;
