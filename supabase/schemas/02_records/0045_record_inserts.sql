-- What record_change does for an insert, once per statement instead of once per row: a
-- statement that adds many rows (an import writes a thousand at a time) serializes each row
-- once, writes its audit rows in one insert and broadcasts them in a few messages. Updates and
-- deletes stay with record_change, row by row (their audit rows compare old and new).
--
-- The broadcast: a statement that adds one row sends the message record_change would have sent
-- (`record`); one that adds up to 100 sends them as `records`, per organization, up to about
-- 100 kB of rows a message (under hosted Realtime's smallest payload limit, 256 kB), event
-- `INSERT` as before. One that adds more (an import's step) sends their `ids`, 2,000 a message
-- (about 80 kB): more rows than a screen shows are for the app to read as it needs them, not to
-- push whole to every open browser (an import of 100,000 rows would send 110 MB), and writing
-- them into realtime.messages cost 7 % of an imported row's database time (18 of 268 ms a
-- 1,000-row commit call).
-- realtime.send turns a failed broadcast into a warning, never a failed write.
create function private.record_inserts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked private.tracked_tables;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  -- Each row serialized once; everything below reads these.
  added jsonb[];
  many boolean;
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  select array_agg(to_jsonb(r)) into added from added_rows r;
  if added is null then
    return null;
  end if;
  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  )
  select (a.data ->> tracked.org_column)::uuid, tg_table_name, (a.data ->> 'id')::uuid, 'INSERT', null, a.data,
         auth.uid(),
         coalesce(claims ->> 'role', session_user::text),
         case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
         session_user::text,
         nullif(current_setting('westwallet.undo_of', true), '')::bigint
  from unnest(added) with ordinality as a (data, n)
  order by a.n;

  if not tracked.shared_with_members then
    return null;
  end if;
  if cardinality(added) = 1 then
    perform realtime.send(
      jsonb_build_object('old_record', null, 'record', added[1], 'operation', 'INSERT',
                         'table', tg_table_name, 'schema', tg_table_schema),
      'INSERT', 'org:' || (added[1] ->> tracked.org_column), true);
    return null;
  end if;
  -- Whole rows, about 100 kB a message; past 100 rows their ids, 2,000 a message.
  many := cardinality(added) > 100;
  perform realtime.send(
            jsonb_build_object('old_record', null, case when many then 'ids' else 'records' end,
                               jsonb_agg(c.item order by c.n), 'operation', 'INSERT',
                               'table', tg_table_name, 'schema', tg_table_schema),
            'INSERT', 'org:' || c.org_id, true)
  from (
    select case when many then a.data -> 'id' else a.data end as item, a.n, a.data ->> tracked.org_column as org_id,
           case when many then (row_number() over w - 1) / 2000
                else sum(pg_column_size(a.data)) over w / 100000 end as chunk
    from unnest(added) with ordinality as a (data, n)
    window w as (partition by a.data ->> tracked.org_column order by a.n)
  ) c
  group by c.org_id, c.chunk;
  return null;
end;
$$;

comment on function private.record_inserts() is
  'The audit rows and broadcasts of a statement''s inserts into a tracked table (statement trigger; see record_change for updates and deletes).';
