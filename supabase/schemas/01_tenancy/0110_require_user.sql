-- For RPCs that act as a user: the caller's id, or UNAUTHORIZED.
create function private.require_user()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise sqlstate 'PT401' using message = 'UNAUTHORIZED', detail = 'Sign in first.';
  end if;
  return auth.uid();
end;
$$;

grant execute on function private.require_user() to authenticated, service_role;
