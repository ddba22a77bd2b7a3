create or replace function private.has_org_role(org_id uuid, min_role public.org_role)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select from public.memberships m
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
  );
end;
$$;

grant execute on function private.has_org_role(uuid, public.org_role) to authenticated;

grant execute on function private.has_org_role(uuid, public.org_role) to service_role;
