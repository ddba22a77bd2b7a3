-- The calendar date in the organization's time zone: "due today" means the household's today.
create function private.org_today(org_id uuid)
returns date
language sql
stable
set search_path = ''
as $$
  select (now() at time zone o.time_zone)::date from public.organizations o where o.id = org_today.org_id;
$$;

grant execute on function private.org_today(uuid) to authenticated, service_role;
