-- A completion moves the schedule forward: the task was last done on the latest day logged.
-- Logging an older completion (history) leaves it; trashing a log does not move it back (the
-- task's last_done_on stays editable, and undo_change reverts the task's update).
create function private.advance_maintenance_task()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.deleted_at is null then
    update public.maintenance_tasks t set last_done_on = new.done_on
    where t.org_id = new.org_id and t.id = new.task_id and (t.last_done_on is null or t.last_done_on < new.done_on);
  end if;
  return null;
end;
$$;
