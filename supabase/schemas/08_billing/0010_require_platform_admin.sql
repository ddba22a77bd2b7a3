-- For RPCs only operators may call: the caller's id, or PLATFORM_ADMIN_REQUIRED.
create function private.require_platform_admin()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller_id uuid := private.require_user();
begin
  if not exists (select from private.platform_admins a where a.user_id = caller_id) then
    raise sqlstate 'PT403' using message = 'PLATFORM_ADMIN_REQUIRED', detail = 'Only WestWallet operators may do this.';
  end if;
  return caller_id;
end;
$$;

grant execute on function private.require_platform_admin() to authenticated;
