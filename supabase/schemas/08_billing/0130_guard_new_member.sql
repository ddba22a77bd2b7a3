-- New members and invitations: the organization must be in good standing and below its limit.
-- invite_member() and accept_invitation() lock the organization first, so the count holds.
create function private.guard_new_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  seats integer := private.member_limit(new.org_id);
  taken integer;
begin
  if nullif(current_setting('request.jwt.claims', true), '') is null then
    return new;
  end if;
  select count(*) into taken from public.memberships m where m.org_id = new.org_id;
  -- The founding owner of a new organization.
  if tg_table_name = 'memberships' and taken = 0 then
    return new;
  end if;
  perform private.require_good_standing(new.org_id);
  if tg_table_name = 'invitations' then
    taken := taken + (
      select count(*) from public.invitations i
      where i.org_id = new.org_id and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
    );
  end if;
  if taken >= seats then
    raise sqlstate 'PT402' using message = 'PLAN_LIMIT_REACHED',
      detail = format('The plan allows %s members (pending invitations count); upgrade or remove someone first.', seats);
  end if;
  return new;
end;
$$;
