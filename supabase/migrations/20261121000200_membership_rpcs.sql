-- The RPCs that change who belongs to an organization: create an organization, invite,
-- accept, revoke, change roles, transfer ownership, remove and leave.
--
-- Each public function is `security invoker` and hands over to a `security definer` function in
-- `private` that checks the caller's role itself. Every change locks the organization's row
-- first, so concurrent changes to one organization run one after another, and a deferred
-- constraint trigger checks at commit that the organization still has an owner, whatever SQL
-- made the change.
-- Touches: memberships, invitations, organizations (lock only).

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

create constraint trigger keeps_an_owner after update of role or delete on public.memberships
  deferrable initially deferred
  for each row execute function private.assert_org_keeps_owner();

-- Organizations ------------------------------------------------------------------------------

create function private.create_organization(
  name text,
  kind public.org_kind,
  base_currency text,
  locale public.locale,
  time_zone text
)
returns public.organizations
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner_id uuid := private.require_user();
  profile public.profiles;
begin
  select * into profile from public.profiles p where p.user_id = owner_id;
  return private.new_organization(
    owner_id, name, kind, base_currency, coalesce(locale, profile.locale), time_zone,
    (profile.preferences #>> '{trash,retentionDays}')::integer
  );
end;
$$;

create function public.create_organization(
  name text,
  kind public.org_kind default 'household',
  base_currency text default null,
  locale public.locale default null,
  time_zone text default null
)
returns public.organizations
language sql
set search_path = ''
as $$
  select * from private.create_organization(name, kind, base_currency, locale, time_zone);
$$;
comment on function public.create_organization is
  'Creates an organization owned by the caller. Currency and time zone default from the locale, which defaults to the caller''s.';
grant execute on function
  public.create_organization(text, public.org_kind, text, public.locale, text),
  private.create_organization(text, public.org_kind, text, public.locale, text)
to authenticated;

-- Members ------------------------------------------------------------------------------------

create function private.list_members(org_id uuid)
returns table (user_id uuid, role public.org_role, display_name text, email text, joined_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  return query
    select m.user_id, m.role, p.display_name, u.email::text, m.created_at
    from public.memberships m
    join auth.users u on u.id = m.user_id
    left join public.profiles p on p.user_id = m.user_id
    where m.org_id = list_members.org_id
    order by m.role desc, p.display_name, m.user_id;
end;
$$;

create function public.list_members(org_id uuid)
returns table (user_id uuid, role public.org_role, display_name text, email text, joined_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select * from private.list_members(org_id);
$$;
comment on function public.list_members is 'The members of an organization with their names and emails; any member may call it.';

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

create function public.set_member_role(org_id uuid, user_id uuid, role public.org_role)
returns public.memberships
language sql
set search_path = ''
as $$
  select * from private.set_member_role(org_id, user_id, role);
$$;
comment on function public.set_member_role is 'Admins change a member''s role; only owners grant or take away ownership.';

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

create function public.remove_member(org_id uuid, user_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.remove_member(org_id, user_id);
$$;
comment on function public.remove_member is 'Admins remove a member (only owners remove an owner); the last owner cannot be removed.';

create function public.leave_organization(org_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.remove_member(org_id, auth.uid());
$$;
comment on function public.leave_organization is 'The caller leaves the organization; the last owner must transfer ownership first.';

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

create function public.transfer_ownership(org_id uuid, new_owner_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.transfer_ownership(org_id, new_owner_id);
$$;
comment on function public.transfer_ownership is 'An owner hands ownership to another member and becomes an admin.';

-- Invitations --------------------------------------------------------------------------------

create function private.invite_member(org_id uuid, email text, role public.org_role, valid_for interval)
returns public.invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller_role public.org_role := private.require_org_role(org_id, 'admin');
  address text := lower(btrim(email));
  created public.invitations;
begin
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'email: not an email address';
  end if;
  if valid_for is null or valid_for < interval '1 hour' or valid_for > interval '90 days' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'valid_for: between 1 hour and 90 days';
  end if;
  if role = 'owner' and caller_role <> 'owner' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only owners invite owners.';
  end if;
  perform private.lock_organization(org_id);
  if exists (
    select from public.memberships m join auth.users u on u.id = m.user_id
    where m.org_id = invite_member.org_id and lower(u.email) = address
  ) then
    raise sqlstate 'PT409' using message = 'ALREADY_MEMBER', detail = format('%s is already a member.', address);
  end if;
  -- A new invitation replaces a pending one to the same address.
  update public.invitations i set revoked_at = now(), revoked_by = auth.uid()
  where i.org_id = invite_member.org_id and i.email = address and i.accepted_at is null and i.revoked_at is null;
  insert into public.invitations (org_id, email, role, invited_by, expires_at)
  values (org_id, address, role, auth.uid(), now() + valid_for)
  returning * into created;
  return created;
end;
$$;

create function public.invite_member(
  org_id uuid,
  email text,
  role public.org_role default 'member',
  valid_for interval default '7 days'
)
returns public.invitations
language sql
set search_path = ''
as $$
  select * from private.invite_member(org_id, email, role, valid_for);
$$;
comment on function public.invite_member is
  'Admins invite an email with a role (owners only invite owners); a new invitation replaces a pending one to the same address.';

create function private.revoke_invitation(invitation_id uuid)
returns public.invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
begin
  select * into invitation from public.invitations i where i.id = invitation_id;
  if invitation.id is null or not private.has_org_role(invitation.org_id, 'admin') then
    raise sqlstate 'PT404' using message = 'INVITATION_NOT_FOUND', detail = 'No such invitation among those you manage.';
  end if;
  perform private.lock_organization(invitation.org_id);
  select * into invitation from public.invitations i where i.id = invitation_id for update;
  if invitation.accepted_at is not null then
    raise sqlstate 'PT409' using message = 'INVITATION_ALREADY_USED', detail = 'The invitation was already accepted.';
  elsif invitation.revoked_at is not null then
    raise sqlstate 'PT410' using message = 'INVITATION_REVOKED', detail = 'The invitation was already revoked.';
  end if;
  update public.invitations i set revoked_at = now(), revoked_by = auth.uid() where i.id = invitation_id
  returning * into invitation;
  return invitation;
end;
$$;

create function public.revoke_invitation(invitation_id uuid)
returns public.invitations
language sql
set search_path = ''
as $$
  select * from private.revoke_invitation(invitation_id);
$$;
comment on function public.revoke_invitation is 'Admins revoke a pending invitation.';

create function private.accept_invitation(invitation_id uuid)
returns public.memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  joined public.memberships;
begin
  perform private.require_user();
  -- Lock order everywhere: organization first, then its rows.
  select * into invitation from public.invitations i where i.id = invitation_id;
  if invitation.id is null then
    raise sqlstate 'PT404' using message = 'INVITATION_NOT_FOUND', detail = 'No such invitation.';
  end if;
  perform private.lock_organization(invitation.org_id);
  select * into invitation from public.invitations i where i.id = invitation_id for update;
  if invitation.email is distinct from lower(auth.email()) then
    raise sqlstate 'PT403' using message = 'INVITATION_EMAIL_MISMATCH',
      detail = 'The invitation was sent to another email address; sign in with that one.';
  elsif invitation.revoked_at is not null then
    raise sqlstate 'PT410' using message = 'INVITATION_REVOKED', detail = 'The invitation was revoked.';
  elsif invitation.accepted_at is not null then
    raise sqlstate 'PT409' using message = 'INVITATION_ALREADY_USED', detail = 'The invitation was already accepted.';
  elsif invitation.expires_at <= now() then
    raise sqlstate 'PT410' using message = 'INVITATION_EXPIRED', detail = format('The invitation expired at %s.', invitation.expires_at);
  end if;
  if exists (select from public.memberships m where m.org_id = invitation.org_id and m.user_id = auth.uid()) then
    raise sqlstate 'PT409' using message = 'ALREADY_MEMBER', detail = 'You are already a member of this organization.';
  end if;
  update public.invitations i set accepted_at = now(), accepted_by = auth.uid() where i.id = invitation_id;
  insert into public.memberships (org_id, user_id, role, invited_by)
  values (invitation.org_id, auth.uid(), invitation.role, invitation.invited_by)
  returning * into joined;
  return joined;
end;
$$;

create function public.accept_invitation(invitation_id uuid)
returns public.memberships
language sql
set search_path = ''
as $$
  select * from private.accept_invitation(invitation_id);
$$;
comment on function public.accept_invitation is
  'The invited user (signed in with the invited email) joins the organization with the invitation''s role.';

grant execute on function
  public.list_members(uuid), private.list_members(uuid),
  public.set_member_role(uuid, uuid, public.org_role), private.set_member_role(uuid, uuid, public.org_role),
  public.remove_member(uuid, uuid), private.remove_member(uuid, uuid),
  public.leave_organization(uuid),
  public.transfer_ownership(uuid, uuid), private.transfer_ownership(uuid, uuid),
  public.invite_member(uuid, text, public.org_role, interval), private.invite_member(uuid, text, public.org_role, interval),
  public.revoke_invitation(uuid), private.revoke_invitation(uuid),
  public.accept_invitation(uuid), private.accept_invitation(uuid)
to authenticated;

-- Deleting a user (account deletion, or an operator in Studio) deletes the organizations they
-- were the only member of. Where others remain and the user was the last owner, the deletion is
-- refused with LAST_OWNER at commit: ownership must be transferred first.
create function private.handle_deleted_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.organizations o
  where o.id in (select m.org_id from public.memberships m where m.user_id = old.id)
    and not exists (select from public.memberships m where m.org_id = o.id and m.user_id <> old.id);
  return old;
end;
$$;

create trigger on_auth_user_deleted before delete on auth.users
  for each row execute function private.handle_deleted_user();
