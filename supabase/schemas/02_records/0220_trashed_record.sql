-- Finds a record in the trash that the caller may act on with `min_role`.
create function private.trashed_record(table_name text, id uuid, min_role public.org_role)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org_id uuid;
begin
  execute format('select org_id from %s where id = $1 and deleted_at is not null', private.record_table(table_name))
    into org_id using id;
  if org_id is null or not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = 'No such record in your trash.';
  end if;
  perform private.require_org_role(org_id, min_role);
  return org_id;
end;
$$;
