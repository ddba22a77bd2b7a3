create function private.restore_from_trash(table_name text, id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  restored jsonb;
begin
  perform private.trashed_record(table_name, id, 'member');
  perform set_config('westwallet.internal_operation', 'restore', true);
  execute format('update %s r set deleted_at = null, deleted_by = null where id = $1 returning to_jsonb(r)', private.record_table(table_name))
    into restored using id;
  perform set_config('westwallet.internal_operation', '', true);
  return restored;
end;
$$;

grant execute on function private.restore_from_trash(text, uuid) to authenticated;

create function public.restore_from_trash(table_name text, id uuid)
returns jsonb
language sql
set search_path = ''
as $$
  select private.restore_from_trash(table_name, id);
$$;

comment on function public.restore_from_trash is 'Members take a record out of the trash; returns the record.';

grant execute on function public.restore_from_trash(text, uuid) to authenticated;
