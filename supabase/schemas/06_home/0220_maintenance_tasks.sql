create table public.maintenance_tasks (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  title text not null check (private.name_is_valid(title, 200)),
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

-- Runs before stamp_record (alphabetical), so a refused task uses up no reference.
create trigger prepare_maintenance_task before insert or update on public.maintenance_tasks
  for each row execute function private.prepare_maintenance_task();

alter table public.maintenance_tasks
  add constraint maintenance_tasks_estimated_cost_minor_range check (private.amount_in_range(estimated_cost_minor)),
  add constraint maintenance_tasks_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint maintenance_tasks_last_done_on_range check (private.calendar_day_in_range(last_done_on)),
  add constraint maintenance_tasks_next_due_on_range check (private.calendar_day_in_range(next_due_on));
