create or replace function private.has_org_role(org_id uuid, min_role public.org_role)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- As org_ids_with_role: an organization that requires MFA needs an aal2 session.
  return exists (
    select from public.memberships m
    join public.organizations o on o.id = m.org_id
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
      and (not o.require_mfa or (select private.session_is_aal2()))
  );
end;
$$;

grant execute on function private.has_org_role(uuid, public.org_role) to authenticated;

grant execute on function private.has_org_role(uuid, public.org_role) to service_role;
