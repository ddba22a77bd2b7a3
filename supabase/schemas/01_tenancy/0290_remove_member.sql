create function private.remove_member(org_id uuid, user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller_role public.org_role;
  target public.memberships;
begin
  if user_id = auth.uid() then
    caller_role := private.require_org_role(org_id, 'viewer');
  else
    caller_role := private.require_org_role(org_id, 'admin');
  end if;
  perform private.lock_organization(org_id);
  select * into target from public.memberships m
  where m.org_id = remove_member.org_id and m.user_id = remove_member.user_id;
  if target.id is null then
    raise sqlstate 'PT404' using message = 'MEMBER_NOT_FOUND', detail = 'That user is not a member of this organization.';
  end if;
  if target.role = 'owner' and user_id <> auth.uid() and caller_role <> 'owner' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only owners remove an owner.';
  end if;
  if target.role = 'owner' and not exists (
    select from public.memberships m where m.org_id = remove_member.org_id and m.role = 'owner' and m.id <> target.id
  ) then
    raise sqlstate 'PT409' using message = 'LAST_OWNER',
      detail = 'Transfer ownership first: an organization must keep at least one owner.';
  end if;
  delete from public.memberships m where m.id = target.id;
end;
$$;

grant execute on function private.remove_member(uuid, uuid) to authenticated;

create function public.remove_member(org_id uuid, user_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.remove_member(org_id, user_id);
$$;

comment on function public.remove_member is 'Admins remove a member (only owners remove an owner); the last owner cannot be removed.';

grant execute on function public.remove_member(uuid, uuid) to authenticated;
