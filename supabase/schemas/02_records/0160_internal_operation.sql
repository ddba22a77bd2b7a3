create or replace function private.internal_operation()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return nullif(current_setting('westwallet.internal_operation', true), '');
end;
$$;

grant execute on function private.internal_operation() to authenticated;

grant execute on function private.internal_operation() to service_role;
