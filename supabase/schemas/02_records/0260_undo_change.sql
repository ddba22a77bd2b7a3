create function private.undo_change(audit_id bigint)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  entry public.audit_log;
  target text;
  caller_role public.org_role;
  columns text;
  result jsonb;
begin
  select * into entry from public.audit_log a where a.id = audit_id;
  if entry.id is null or not private.has_org_role(entry.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'AUDIT_ENTRY_NOT_FOUND', detail = format('No audit entry %s in your organizations.', audit_id);
  end if;
  caller_role := private.require_org_role(entry.org_id, 'member');
  if entry.actor_id is distinct from auth.uid() and caller_role < 'admin' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only its author or an admin undoes a change.';
  end if;
  if entry.operation not in ('UPDATE', 'DELETE')
     or not exists (select from private.tracked_tables t where t.table_name = entry.table_name and t.is_record) then
    raise sqlstate 'PT400' using message = 'UNDO_NOT_SUPPORTED',
      detail = format('A %s of %s cannot be undone.', entry.operation, entry.table_name);
  end if;
  target := private.record_table(entry.table_name);

  -- Lock the record, then check nothing happened to it after this entry.
  execute format('select 1 from %s where id = $1 for update', target) using entry.record_id;
  if exists (
    select from public.audit_log a
    where a.org_id = entry.org_id and a.table_name = entry.table_name and a.record_id = entry.record_id and a.id > entry.id
  ) then
    raise sqlstate 'PT409' using message = 'UNDO_CONFLICT',
      detail = 'The record changed again since (or the change was already undone); undo the later change first.';
  end if;

  perform set_config('westwallet.undo_of', entry.id::text, true);
  if entry.operation = 'DELETE' then
    perform set_config('westwallet.internal_operation', 'restore', true);
    execute format('update %s r set deleted_at = null, deleted_by = null where id = $1 returning to_jsonb(r)', target)
      into result using entry.record_id;
  else
    select string_agg(format('%1$I = old.%1$I', key), ', ') into columns
    from jsonb_object_keys(entry.old_values) key;
    execute format(
      'update %1$s r set %2$s from jsonb_populate_record(null::%1$s, $1) old where r.id = $2 returning to_jsonb(r)',
      target, columns
    ) into result using entry.old_values, entry.record_id;
  end if;
  perform set_config('westwallet.undo_of', '', true);
  perform set_config('westwallet.internal_operation', '', true);
  if result is null then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = 'The record no longer exists.';
  end if;
  return result;
end;
$$;

grant execute on function private.undo_change(bigint) to authenticated;

create function public.undo_change(audit_id bigint)
returns jsonb
language sql
set search_path = ''
as $$
  select private.undo_change(audit_id);
$$;

comment on function public.undo_change is
  'Undoes an update or delete (from the audit log) as its author or an admin, unless the record changed since; returns the record.';

grant execute on function public.undo_change(bigint) to authenticated;
