-- A statement that inserts more than 100 rows (an import's step) broadcasts their ids, 2,000 a
-- message, instead of the rows: an import of 100,000 rows pushed 110 MB to every open browser,
-- and writing the rows into realtime.messages cost 7 % of an imported row's database time.
-- Touches: private.record_inserts.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.record_inserts()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  tracked private.tracked_tables;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  -- Each row serialized once; everything below reads these.
  added jsonb[];
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
  if cardinality(added) > 100 then
    perform realtime.send(
              jsonb_build_object('old_record', null, 'ids', jsonb_agg(c.id order by c.n), 'operation', 'INSERT',
                                 'table', tg_table_name, 'schema', tg_table_schema),
              'INSERT', 'org:' || c.org_id, true)
    from (
      select a.data ->> 'id' as id, a.n, a.data ->> tracked.org_column as org_id,
             (row_number() over (partition by a.data ->> tracked.org_column order by a.n) - 1) / 2000 as chunk
      from unnest(added) with ordinality as a (data, n)
    ) c
    group by c.org_id, c.chunk;
    return null;
  end if;
  perform realtime.send(
            jsonb_build_object('old_record', null, 'records', jsonb_agg(c.data order by c.n), 'operation', 'INSERT',
                               'table', tg_table_name, 'schema', tg_table_schema),
            'INSERT', 'org:' || c.org_id, true)
  from (
    select a.data, a.n, a.data ->> tracked.org_column as org_id,
           sum(pg_column_size(a.data)) over (partition by a.data ->> tracked.org_column order by a.n) / 100000 as chunk
    from unnest(added) with ordinality as a (data, n)
  ) c
  group by c.org_id, c.chunk;
  return null;
end;
$function$
;
