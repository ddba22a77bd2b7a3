-- Whether the request's session was verified with a second factor: Auth puts `aal` in every
-- access token (aal1 after a password or a link, aal2 after an MFA verification). The
-- membership helpers call it once per statement for organizations that require MFA.
create function private.session_is_aal2()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.jwt() ->> 'aal'), 'aal1') = 'aal2'
$$;

grant execute on function private.session_is_aal2() to authenticated, service_role;
