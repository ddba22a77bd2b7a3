create function private.lock_organization(org_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform from public.organizations o where o.id = lock_organization.org_id for update;
  if not found then
    raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
  end if;
end;
$$;
