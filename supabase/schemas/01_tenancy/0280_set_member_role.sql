create function private.set_member_role(org_id uuid, user_id uuid, role public.org_role)
returns public.memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller_role public.org_role := private.require_org_role(org_id, 'admin');
  target public.memberships;
begin
  perform private.lock_organization(org_id);
  select * into target from public.memberships m
  where m.org_id = set_member_role.org_id and m.user_id = set_member_role.user_id;
  if target.id is null then
    raise sqlstate 'PT404' using message = 'MEMBER_NOT_FOUND', detail = 'That user is not a member of this organization.';
  end if;
  -- Re-read after the lock: a concurrent change may have demoted the caller.
  caller_role := private.require_org_role(org_id, 'admin');
  if (target.role = 'owner' or role = 'owner') and caller_role <> 'owner' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only owners grant or take away the owner role.';
  end if;
  update public.memberships m set role = set_member_role.role where m.id = target.id returning * into target;
  return target;
end;
$$;

grant execute on function private.set_member_role(uuid, uuid, public.org_role) to authenticated;

create function public.set_member_role(org_id uuid, user_id uuid, role public.org_role)
returns public.memberships
language sql
set search_path = ''
as $$
  select * from private.set_member_role(org_id, user_id, role);
$$;

comment on function public.set_member_role is 'Admins change a member''s role; only owners grant or take away ownership.';

grant execute on function public.set_member_role(uuid, uuid, public.org_role) to authenticated;
