-- Home (and vehicle) maintenance: recurring tasks with an interval, when each was last done and
-- when it is next due, and a log of each time it was done with what it cost.
-- complete_maintenance_task() logs a completion and schedules the next one;
-- due_maintenance_tasks() lists what is overdue or due soon.
-- Touches: maintenance_tasks, maintenance_logs.

create table public.maintenance_tasks (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  notes text check (char_length(notes) <= 5000),
  property_id uuid,
  vehicle_id uuid,
  -- Every N months or every N days; neither for a one-off task.
  interval_months smallint,
  interval_days smallint,
  -- When a task never done is first due (default: the day it is added).
  starts_on date,
  last_done_on date,
  next_due_on date generated always as (
    case
      when last_done_on is null then starts_on
      when interval_months is not null then (last_done_on + make_interval(months => interval_months))::date
      when interval_days is not null then last_done_on + interval_days
    end
  ) stored,
  estimated_cost_minor bigint check (estimated_cost_minor >= 0),
  currency text references public.currencies (code),
  constraint maintenance_tasks_subject_check check (num_nonnulls(property_id, vehicle_id) <= 1),
  constraint maintenance_tasks_cost_currency_check check ((estimated_cost_minor is null) = (currency is null)),
  foreign key (org_id, property_id) references public.properties (org_id, id) on delete set null (property_id),
  foreign key (org_id, vehicle_id) references public.vehicles (org_id, id) on delete set null (vehicle_id)
);
comment on table public.maintenance_tasks is
  'Recurring upkeep of a property or vehicle (change the ventilation filter every 6 months): last done, next due (derived), estimated cost.';
comment on column public.maintenance_tasks.next_due_on is
  'last_done_on plus the interval; starts_on while never done; null once a one-off task is done.';

select private.enroll_record_table('public.maintenance_tasks');
create index maintenance_tasks_org_id_next_due_idx on public.maintenance_tasks (org_id, next_due_on, id) where deleted_at is null;
create index maintenance_tasks_org_id_property_idx on public.maintenance_tasks (org_id, property_id) where property_id is not null;
create index maintenance_tasks_org_id_vehicle_idx on public.maintenance_tasks (org_id, vehicle_id) where vehicle_id is not null;

create function private.prepare_maintenance_task()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if num_nonnulls(new.interval_months, new.interval_days) > 1
     or new.interval_months not between 1 and 120 or new.interval_days not between 1 and 3660 then
    raise sqlstate 'PT400' using message = 'MAINTENANCE_INTERVAL_INVALID',
      detail = 'Give interval_months (1 to 120) or interval_days (1 to 3660), or neither for a one-off task.';
  end if;
  if tg_op = 'INSERT' and new.starts_on is null and new.last_done_on is null then
    new.starts_on := private.org_today(new.org_id);
  end if;
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused task uses up no reference.
create trigger prepare_maintenance_task before insert or update on public.maintenance_tasks
  for each row execute function private.prepare_maintenance_task();

create table public.maintenance_logs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  task_id uuid not null,
  done_on date not null,
  cost_minor bigint check (cost_minor >= 0),
  currency text references public.currencies (code),
  -- As on transactions: given, or the rate of done_on; both set by the database with a cost.
  fx_rate numeric(20, 10) check (fx_rate > 0),
  base_cost_minor bigint,
  notes text check (char_length(notes) <= 2000),
  transaction_id uuid,
  constraint maintenance_logs_cost_currency_check check ((cost_minor is null) = (currency is null)),
  foreign key (org_id, task_id) references public.maintenance_tasks (org_id, id) on delete cascade,
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete set null (transaction_id)
);
comment on table public.maintenance_logs is
  'Each time a maintenance task was done: when, what it cost (also in the base currency), notes, the transaction that paid it.';

select private.enroll_record_table('public.maintenance_logs');
-- Not partial, so purging a task finds its logs by it too.
create index maintenance_logs_org_id_task_idx on public.maintenance_logs (org_id, task_id, done_on desc, reference desc);
create index maintenance_logs_org_id_transaction_idx on public.maintenance_logs (org_id, transaction_id)
  where transaction_id is not null;

create function private.prepare_maintenance_log()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  if (tg_op = 'INSERT' or new.task_id is distinct from old.task_id)
     and not exists (select from public.maintenance_tasks t
                     where t.org_id = new.org_id and t.id = new.task_id and t.deleted_at is null) then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No maintenance task %s in this organization.', new.task_id);
  end if;
  if new.cost_minor is null then
    new.fx_rate := null;
    new.base_cost_minor := null;
    return new;
  end if;
  new.currency := upper(new.currency);
  select b.fx_rate, b.base_minor into new.fx_rate, new.base_cost_minor
  from private.to_base(new.org_id, new.cost_minor, new.currency, new.done_on, new.fx_rate,
                       case when tg_op = 'UPDATE' then old.currency end, case when tg_op = 'UPDATE' then old.done_on end,
                       case when tg_op = 'UPDATE' then old.fx_rate end) b;
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused log uses up no reference.
create trigger prepare_maintenance_log before insert or update on public.maintenance_logs
  for each row execute function private.prepare_maintenance_log();

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

create trigger advance_maintenance_task after insert or update of done_on, task_id, deleted_at on public.maintenance_logs
  for each row execute function private.advance_maintenance_task();

-- Completing a task ------------------------------------------------------------------------------

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
grant execute on function
  public.complete_maintenance_task(uuid, date, bigint, text, text, uuid),
  private.complete_maintenance_task(uuid, date, bigint, text, text, uuid)
to authenticated;

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
