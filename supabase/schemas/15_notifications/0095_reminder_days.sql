-- Each dated item may carry its own lead times (days before the due day on which its reminder
-- fires: {90, 30, 7}); null follows the kind's platform default (private.notification_kinds).
create function private.lead_days_are_valid(days smallint[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select days is null or (cardinality(days) <= 6 and 0 <= all (days) and 366 >= all (days) and array_position(days, null) is null);
$$;

comment on function private.lead_days_are_valid(smallint[]) is 'Lead times: at most 6 days, each 0 to 366.';

-- The tables' checks run as whoever writes them.
grant execute on function private.lead_days_are_valid(smallint[]) to authenticated, service_role;

alter table public.contracts
  add column reminder_days smallint[] constraint contracts_reminder_days_check check (private.lead_days_are_valid(reminder_days));

alter table public.warranties
  add column reminder_days smallint[] constraint warranties_reminder_days_check check (private.lead_days_are_valid(reminder_days));

alter table public.insurances
  add column reminder_days smallint[] constraint insurances_reminder_days_check check (private.lead_days_are_valid(reminder_days));

alter table public.maintenance_tasks
  add column reminder_days smallint[]
    constraint maintenance_tasks_reminder_days_check check (private.lead_days_are_valid(reminder_days));

comment on column public.contracts.reminder_days is
  'Days before the notice deadline and the end on which reminders fire; null: the platform default (30, 7, 1).';
comment on column public.warranties.reminder_days is 'Days before the warranty ends on which reminders fire; null: the platform default.';
comment on column public.insurances.reminder_days is 'Days before the renewal on which reminders fire; null: the platform default.';
comment on column public.maintenance_tasks.reminder_days is 'Days before the task is due on which reminders fire; null: the platform default.';
