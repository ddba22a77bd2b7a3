-- An invitation is read and accepted as the invitee only with a confirmed email address, as
-- auth.users records it, never the token's `email` claim alone.
-- Touches: private.confirmed_email (new), the invitee's select policy on public.invitations,
-- private.accept_invitation.
--
-- The token's `email` is whatever address a user signed up with: where sign-up needs no
-- confirmation, anyone could sign up with the address of a pending invitation, read it and
-- accept it with the invited role. Where confirmations are off, Auth confirms at sign-up, so
-- the guard holds where the project confirms addresses ([auth.email] enable_confirmations).

create function private.confirmed_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(u.email) from auth.users u where u.id = auth.uid() and u.email_confirmed_at is not null;
$$;
comment on function private.confirmed_email() is
  'The caller''s email once Auth has confirmed it (auth.users.email_confirmed_at), lowercased; null before.';
grant execute on function private.confirmed_email() to authenticated;

drop policy "admins and the invitee read an invitation" on public.invitations;
create policy "admins and the confirmed invitee read an invitation" on public.invitations
  for select to authenticated using (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    or email = (select private.confirmed_email())
  );

create or replace function private.accept_invitation(invitation_id uuid)
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
comment on function public.accept_invitation is
  'The invited user, signed in with the invited email once confirmed, joins the organization with the invitation''s role.';
