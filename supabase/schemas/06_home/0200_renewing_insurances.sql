-- Reads as the caller: row-level security decides what it sees.
create function public.renewing_insurances(
  org_id uuid,
  within_days integer default 30,
  max_rows integer default 50,
  after_renews_on date default null,
  after_id uuid default null
)
returns setof public.insurances
language plpgsql
stable
set search_path = ''
as $$
declare
  today date;
begin
  today := private.upcoming_window(org_id, within_days, max_rows);
  return query
    select i.* from public.insurances i
    where i.org_id = renewing_insurances.org_id and i.deleted_at is null
      and i.renews_on between today and today + within_days
      and (i.ended_on is null or i.ended_on > today)
      and (after_renews_on is null or (i.renews_on, i.id) > (after_renews_on, after_id))
    order by i.renews_on, i.id
    limit max_rows;
end;
$$;

comment on function public.renewing_insurances is
  'Policies in force that renew from today (the organization''s) to within_days ahead, soonest first; pass the last row''s renews_on and id for the next page.';

grant execute on function public.renewing_insurances(uuid, integer, integer, date, uuid) to authenticated;
