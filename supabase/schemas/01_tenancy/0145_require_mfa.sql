-- Turning on an organization's MFA requirement from a session without a second factor would
-- lock its admins out at once: only a session at aal2 may turn it on (turning it off needs one
-- anyway, since without it the organization is out of reach).
create function private.guard_require_mfa()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.require_mfa and not old.require_mfa and current_user = 'authenticated'
    and not private.session_is_aal2() then
    raise sqlstate 'PT403' using message = 'MFA_REQUIRED',
      detail = 'Verify a second factor yourself before requiring one of every member.';
  end if;
  return new;
end;
$$;

create trigger guard_require_mfa before update of require_mfa on public.organizations
  for each row execute function private.guard_require_mfa();
