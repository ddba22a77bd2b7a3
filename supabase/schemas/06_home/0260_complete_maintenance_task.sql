create function private.complete_maintenance_task(
  task_id uuid,
  done_on date,
  cost_minor bigint,
  currency text,
  notes text,
  transaction_id uuid
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  task public.maintenance_tasks;
  logged public.maintenance_logs;
begin
  select * into task from public.maintenance_tasks t where t.id = complete_maintenance_task.task_id and t.deleted_at is null;
  if task.id is null or not private.has_org_role(task.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No maintenance task %s that you may see.', task_id);
  end if;
  perform private.require_org_role(task.org_id, 'member');
  insert into public.maintenance_logs (org_id, task_id, done_on, cost_minor, currency, notes, transaction_id)
  values (
    task.org_id, task.id, coalesce(done_on, private.org_today(task.org_id)), cost_minor,
    case when cost_minor is not null then
      coalesce(currency, (select o.base_currency from public.organizations o where o.id = task.org_id))
    else currency end,
    notes, transaction_id
  )
  returning * into logged;
  select * into task from public.maintenance_tasks t where t.id = task.id;
  return jsonb_build_object('task', to_jsonb(task), 'log', to_jsonb(logged));
end;
$$;

grant execute on function private.complete_maintenance_task(uuid, date, bigint, text, text, uuid) to authenticated;

create function public.complete_maintenance_task(
  task_id uuid,
  done_on date default null,
  cost_minor bigint default null,
  currency text default null,
  notes text default null,
  transaction_id uuid default null
)
returns jsonb
language sql
set search_path = ''
as $$
  select private.complete_maintenance_task(task_id, done_on, cost_minor, currency, notes, transaction_id);
$$;

comment on function public.complete_maintenance_task is
  'Members log a task as done (default: today; cost defaults to the base currency) and get { task, log }: the task with its new last_done_on and next_due_on.';

grant execute on function public.complete_maintenance_task(uuid, date, bigint, text, text, uuid) to authenticated;
