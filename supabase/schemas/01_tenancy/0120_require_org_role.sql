-- For RPCs: raises the error that says why the caller may not act on the organization.
create function private.require_org_role(org_id uuid, min_role public.org_role)
returns public.org_role
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller_role public.org_role;
  caller_id uuid := private.require_user();
begin
  select m.role into caller_role
  from public.memberships m
  where m.org_id = require_org_role.org_id and m.user_id = caller_id;
  if caller_role is null then
    if not exists (select from public.organizations o where o.id = require_org_role.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  if caller_role < min_role then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN',
      detail = format('This needs the %s role; you are %s.', min_role, caller_role);
  end if;
  if not private.session_is_aal2()
    and exists (select from public.organizations o where o.id = require_org_role.org_id and o.require_mfa) then
    raise sqlstate 'PT403' using message = 'MFA_REQUIRED',
      detail = 'This organization requires two-factor sign-in: verify your second factor first.';
  end if;
  return caller_role;
end;
$$;
