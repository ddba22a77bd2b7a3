create function private.purge_from_trash(table_name text, id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.trashed_record(table_name, id, 'admin');
  perform set_config('westwallet.internal_operation', 'purge', true);
  execute format('delete from %s where id = $1', private.record_table(table_name)) using id;
  perform set_config('westwallet.internal_operation', '', true);
end;
$$;

grant execute on function private.purge_from_trash(text, uuid) to authenticated;

create function public.purge_from_trash(table_name text, id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.purge_from_trash(table_name, id);
$$;

comment on function public.purge_from_trash is 'Admins delete a record in the trash for good.';

grant execute on function public.purge_from_trash(text, uuid) to authenticated;
