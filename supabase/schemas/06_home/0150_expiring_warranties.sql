-- Reads as the caller: row-level security decides what it sees.
create function public.expiring_warranties(
  org_id uuid,
  within_days integer default 30,
  max_rows integer default 50,
  after_ends_on date default null,
  after_id uuid default null
)
returns setof public.warranties
language plpgsql
stable
set search_path = ''
as $$
declare
  today date;
begin
  today := private.upcoming_window(org_id, within_days, max_rows);
  return query
    select w.* from public.warranties w
    where w.org_id = expiring_warranties.org_id and w.deleted_at is null
      and w.ends_on between today and today + within_days
      and (after_ends_on is null or (w.ends_on, w.id) > (after_ends_on, after_id))
    order by w.ends_on, w.id
    limit max_rows;
end;
$$;

comment on function public.expiring_warranties is
  'Warranties ending from today (the organization''s) to within_days ahead, soonest first; pass the last row''s ends_on and id for the next page.';

grant execute on function public.expiring_warranties(uuid, integer, integer, date, uuid) to authenticated;
