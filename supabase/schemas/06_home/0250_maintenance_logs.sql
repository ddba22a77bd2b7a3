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

-- Runs before stamp_record (alphabetical), so a refused log uses up no reference.
create trigger prepare_maintenance_log before insert or update on public.maintenance_logs
  for each row execute function private.prepare_maintenance_log();

create trigger advance_maintenance_task after insert or update of done_on, task_id, deleted_at on public.maintenance_logs
  for each row execute function private.advance_maintenance_task();

alter table public.maintenance_logs
  add constraint maintenance_logs_cost_minor_range check (private.amount_in_range(cost_minor)),
  add constraint maintenance_logs_base_cost_minor_range check (private.amount_in_range(base_cost_minor)),
  add constraint maintenance_logs_done_on_range check (private.calendar_day_in_range(done_on));
