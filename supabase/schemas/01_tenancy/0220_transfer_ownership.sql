create function private.transfer_ownership(org_id uuid, new_owner_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'owner');
  perform private.lock_organization(org_id);
  perform private.require_org_role(org_id, 'owner');
  if new_owner_id = auth.uid() then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'You already own this organization.';
  end if;
  update public.memberships m set role = 'owner'
  where m.org_id = transfer_ownership.org_id and m.user_id = new_owner_id;
  if not found then
    raise sqlstate 'PT404' using message = 'MEMBER_NOT_FOUND', detail = 'Ownership goes to an existing member; invite them first.';
  end if;
  update public.memberships m set role = 'admin'
  where m.org_id = transfer_ownership.org_id and m.user_id = auth.uid();
end;
$$;

grant execute on function private.transfer_ownership(uuid, uuid) to authenticated;

create function public.transfer_ownership(org_id uuid, new_owner_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.transfer_ownership(org_id, new_owner_id);
$$;

comment on function public.transfer_ownership is 'An owner hands ownership to another member and becomes an admin.';

grant execute on function public.transfer_ownership(uuid, uuid) to authenticated;
