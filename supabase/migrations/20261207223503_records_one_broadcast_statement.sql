-- A multi-row insert's broadcast is one statement again, whole rows or ids chosen by the count,
-- instead of two near-copies. Messages are the same as before.
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
$function$
;
