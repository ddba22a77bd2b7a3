-- For definer triggers that run before row-level security has looked at a new row: an API
-- request (role authenticated) that may not write to the organization is refused here, before
-- the trigger acts on the organization's data or names any of it in an error.
create function private.assert_org_writer(org_id uuid, table_name text)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if current_setting('role', true) = 'authenticated' and private.internal_operation() is null
     and not private.has_org_role(org_id, 'member') then
    raise sqlstate '42501' using message = format('new row violates row-level security policy for table "%s"', table_name);
  end if;
end;
$$;
