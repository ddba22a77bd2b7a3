-- Updates and deletes, row by row (inserts: record_inserts, once per statement).
--
-- The broadcast, sent directly -----------------------------------------------------------------
--
-- realtime.broadcast_changes serialized the row a second time and wrapped realtime.send in a
-- second exception block (a subtransaction): 20 µs of the 63 the broadcast took per insert. The
-- payload is the one it built ({old_record, record, operation, table, schema}), from the row
-- serialized once here; realtime.send still turns a failed broadcast into a warning, never a
-- failed write.
create or replace function private.record_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked private.tracked_tables;
  -- Each row is serialized once; everything below reads these.
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  row_data jsonb := coalesce(new_data, old_data);
  org_id uuid;
  operation text := tg_op;
  before jsonb;
  after jsonb;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  org_id := (row_data ->> tracked.org_column)::uuid;
  -- The organization is being deleted: its log and its members' channels go with it.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = org_id) then
    return null;
  end if;

  if tg_op = 'DELETE' then
    before := old_data;
    if tracked.is_record then
      operation := 'PURGE';
    end if;
  else
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value)
    into before, after
    from jsonb_each(new_data) n
    join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null; -- nothing but the timestamps changed
    end if;
    if after ? 'deleted_at' then
      operation := case when new.deleted_at is null then 'RESTORE' else 'DELETE' end;
      if operation = 'DELETE' then
        before := old_data;
      end if;
    end if;
  end if;

  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  ) values (
    org_id, tg_table_name, (row_data ->> 'id')::uuid, operation, before, after,
    auth.uid(),
    coalesce(claims ->> 'role', session_user::text),
    case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
    session_user::text,
    nullif(current_setting('westwallet.undo_of', true), '')::bigint
  );

  if tracked.shared_with_members then
    perform realtime.send(
      jsonb_build_object('old_record', old_data, 'record', new_data, 'operation', tg_op,
                         'table', tg_table_name, 'schema', tg_table_schema),
      operation, 'org:' || org_id, true
    );
  end if;
  return null;
end;
$$;
