-- The invitee accepts with the secret from the invitation's mail while signed in with the
-- invited address, confirmed: the invitation's id alone (which admins see) is not enough, nor is
-- an account someone opened with the address without proving they hold it.
create or replace function private.accept_invitation(invitation_id uuid, secret text)
returns public.memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  joined public.memberships;
  email text;
begin
  perform private.require_user();
  email := private.confirmed_email();
  if email is null then
    raise sqlstate 'PT403' using message = 'EMAIL_NOT_CONFIRMED',
      detail = 'Confirm your email address (the link Auth sent you) before accepting an invitation.';
  end if;
  -- Lock order everywhere: organization first, then its rows.
  select * into invitation from public.invitations i where i.id = invitation_id;
  if invitation.id is null then
    raise sqlstate 'PT404' using message = 'INVITATION_NOT_FOUND', detail = 'No such invitation.';
  end if;
  -- The secret first, so that without it nothing is learnt about the invitation.
  if secret is null or not exists (
    select from private.invitation_secrets s
    where s.invitation_id = accept_invitation.invitation_id and s.secret_hash = sha256(convert_to(secret, 'UTF8'))
  ) then
    raise sqlstate 'PT403' using message = 'INVITATION_SECRET_INVALID',
      detail = 'Open the link from the invitation email: it carries the secret this needs.';
  end if;
  perform private.lock_organization(invitation.org_id);
  select * into invitation from public.invitations i where i.id = invitation_id for update;
  if invitation.email is distinct from email then
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

grant execute on function private.accept_invitation(uuid, text) to authenticated;

create function public.accept_invitation(invitation_id uuid, secret text)
returns public.memberships
language sql
set search_path = ''
as $$
  select * from private.accept_invitation(invitation_id, secret);
$$;

grant execute on function public.accept_invitation(uuid, text) to authenticated;

comment on function public.accept_invitation is
  'The invited user, signed in with the invited email once confirmed, joins with the invitation''s role, given the secret from the invitation''s mail.';
