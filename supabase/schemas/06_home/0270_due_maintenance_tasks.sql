-- Reads as the caller: row-level security decides what it sees.
create function public.due_maintenance_tasks(
  org_id uuid,
  within_days integer default 14,
  max_rows integer default 50,
  after_next_due_on date default null,
  after_id uuid default null
)
returns setof public.maintenance_tasks
language plpgsql
stable
set search_path = ''
as $$
declare
  today date;
begin
  today := private.upcoming_window(org_id, within_days, max_rows);
  return query
    select t.* from public.maintenance_tasks t
    where t.org_id = due_maintenance_tasks.org_id and t.deleted_at is null
      and t.next_due_on <= today + within_days
      and (after_next_due_on is null or (t.next_due_on, t.id) > (after_next_due_on, after_id))
    order by t.next_due_on, t.id
    limit max_rows;
end;
$$;

comment on function public.due_maintenance_tasks is
  'Tasks overdue or due within within_days of today (the organization''s), most overdue first; pass the last row''s next_due_on and id for the next page.';

grant execute on function public.due_maintenance_tasks(uuid, integer, integer, date, uuid) to authenticated;
