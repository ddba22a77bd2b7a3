-- A delete moves the record to the trash instead; purging (and deleting the organization)
-- deletes for real, also in read-only mode.
create or replace function private.trash_instead_of_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.internal_operation() = 'purge'
     or not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  perform private.require_good_standing(old.org_id);
  perform set_config('westwallet.internal_operation', 'trash', true);
  execute format('update %s set deleted_at = now(), deleted_by = auth.uid() where id = $1 and deleted_at is null', tg_relid::regclass)
    using old.id;
  perform set_config('westwallet.internal_operation', '', true);
  return null;
end;
$$;
