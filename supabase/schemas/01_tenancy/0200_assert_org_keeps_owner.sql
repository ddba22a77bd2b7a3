create function private.assert_org_keeps_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The organization itself being deleted takes its members with it.
  perform from public.organizations o where o.id = old.org_id for update;
  if found and not exists (select from public.memberships m where m.org_id = old.org_id and m.role = 'owner') then
    raise sqlstate 'PT409' using message = 'LAST_OWNER', detail = 'An organization must keep at least one owner.';
  end if;
  return null;
end;
$$;
