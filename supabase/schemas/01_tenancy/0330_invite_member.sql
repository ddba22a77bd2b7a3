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
  secret text := encode(extensions.gen_random_bytes(32), 'hex');
  organization public.organizations;
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
  -- The invitee gets the secret by mail, in the same transaction: no invitation without its mail.
  insert into private.invitation_secrets (invitation_id, secret_hash)
  values (created.id, sha256(convert_to(secret, 'UTF8')));
  select * into organization from public.organizations o where o.id = invite_member.org_id;
  perform private.enqueue_mail(
    'invitation',
    address,
    organization.locale,
    jsonb_build_object(
      'invitation_id', created.id,
      'secret', secret,
      'organization', organization.name,
      'inviter', coalesce((select p.display_name from public.profiles p where p.user_id = auth.uid()), ''),
      'role', created.role,
      'expires_at', created.expires_at
    ),
    created.org_id
  );
  return created;
end;
$$;

grant execute on function private.invite_member(uuid, text, public.org_role, interval) to authenticated;

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
  'Admins invite an email with a role (owners only invite owners); the invitee is mailed a link with a single-use secret. A new invitation replaces a pending one to the same address.';

grant execute on function public.invite_member(uuid, text, public.org_role, interval) to authenticated;
