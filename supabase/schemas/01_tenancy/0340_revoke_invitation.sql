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

grant execute on function private.revoke_invitation(uuid) to authenticated;

create function public.revoke_invitation(invitation_id uuid)
returns public.invitations
language sql
set search_path = ''
as $$
  select * from private.revoke_invitation(invitation_id);
$$;

comment on function public.revoke_invitation is 'Admins revoke a pending invitation.';

grant execute on function public.revoke_invitation(uuid) to authenticated;
