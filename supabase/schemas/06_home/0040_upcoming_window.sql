-- The start of a "due within N days" list: the caller must be a member, the window and page
-- size bounded; returns today in the organization's time zone.
create function private.upcoming_window(org_id uuid, within_days integer, max_rows integer)
returns date
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  if within_days is null or within_days not between 0 and 3660 or max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'within_days: 0 to 3660; max_rows: 1 to 1000';
  end if;
  return private.org_today(org_id);
end;
$$;

grant execute on function private.upcoming_window(uuid, integer, integer) to authenticated, service_role;
