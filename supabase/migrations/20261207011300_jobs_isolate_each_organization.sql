-- A job that loops over organizations isolates each one's failure: the failure is recorded
-- with its organization, the others go on, and operators see what keeps failing.
-- Touches: private.job_failures (new), private.note_job_failure (new), admin.failing_jobs (new);
-- private.fold_all_pending_totals (a function with its search_path set) and its cron job,
-- private.purge_expired_trash,
-- private.enforce_billing_deadlines, private.refill_monthly_credits.
--
-- The totals fold aborted its whole run at the first error, every second, so one organization
-- whose totals overflowed stopped the fold of every organization sorted after it.

create table private.job_failures (
  org_id uuid not null references public.organizations (id) on delete cascade,
  job text not null,
  failures integer not null default 1,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now(),
  error_code text not null,
  error_message text not null,
  primary key (org_id, job)
);
alter table private.job_failures enable row level security;
comment on table private.job_failures is
  'Organizations a scheduled job failed for, until a run succeeds for them again; read through admin.failing_jobs.';

-- Called from a job's exception handler: the organization's part of the run was rolled back.
-- The server log gets a warning the first time, the table every time. A daily job ends its run
-- by deleting its rows that this run did not touch (last_failed_at < now(), the run's start);
-- the fold, which commits per organization, deletes an organization's row when it folds.
create function private.note_job_failure(job text, org_id uuid, error_code text, error_message text)
returns void
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  failures integer;
begin
  insert into private.job_failures as f (org_id, job, error_code, error_message)
  values (note_job_failure.org_id, note_job_failure.job, note_job_failure.error_code, note_job_failure.error_message)
  on conflict (org_id, job) do update set
    failures = f.failures + 1, last_failed_at = now(),
    error_code = excluded.error_code, error_message = excluded.error_message
  returning f.failures into failures;
  if failures = 1 then
    raise warning 'job % failed for organization %: % %', job, org_id, error_code, error_message;
  end if;
end;
$$;
comment on function private.note_job_failure(text, uuid, text, text) is
  'Records that a job failed for one organization (admin.failing_jobs); the job goes on with the others.';

create view admin.failing_jobs as
select f.job, f.org_id, o.name as organization, f.failures, f.first_failed_at, f.last_failed_at,
       f.error_code, f.error_message
from private.job_failures f
join public.organizations o on o.id = f.org_id
order by f.last_failed_at desc;
comment on view admin.failing_jobs is
  'Scheduled jobs that keep failing for an organization (the others go on): since when, how often, the last error. A row goes once a run succeeds for it.';

-- The totals fold ------------------------------------------------------------------------------

-- A function now, with its search_path fixed as the linter asks: a procedure with a SET clause
-- may not commit, so the run is one transaction, each organization's fold a subtransaction of
-- it. Its commit does not wait for the WAL to reach the disk: a run lost in a crash leaves its
-- lines pending, and the next run moves them. An organization whose fold fails keeps its lines
-- pending (its readers still add them up) and is tried again the next second.
drop procedure private.fold_all_pending_totals();
create function private.fold_all_pending_totals()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  org uuid;
  folded integer := 0;
  failing uuid[] := array(select f.org_id from private.job_failures f where f.job = 'monthly-totals-fold');
begin
  perform set_config('synchronous_commit', 'off', true);
  for org in select distinct p.org_id from private.pending_totals p order by 1 loop
    begin
      perform private.fold_pending_totals(org);
      folded := folded + 1;
      if org = any (failing) then
        delete from private.job_failures f where f.org_id = org and f.job = 'monthly-totals-fold';
      end if;
    exception when others then
      perform private.note_job_failure('monthly-totals-fold', org, sqlstate, sqlerrm);
    end;
  end loop;
  return folded;
end;
$$;
comment on function private.fold_all_pending_totals() is
  'Folds every organization''s pending lines into the totals (every second, by pg_cron); returns how many organizations it folded.';
select cron.schedule('monthly-totals-fold', '1 seconds', 'select private.fold_all_pending_totals()');

-- The trash purge ------------------------------------------------------------------------------

create or replace function private.purge_expired_trash()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked record;
  org uuid;
  purged integer;
  total integer := 0;
begin
  perform set_config('westwallet.internal_operation', 'purge', true);
  for tracked in select t.table_name from private.tracked_tables t where t.is_record loop
    for org in execute format(
      $q$select distinct r.org_id from public.%I r join public.organizations o on o.id = r.org_id
         where r.deleted_at < now() - make_interval(days => o.trash_retention_days)$q$,
      tracked.table_name
    ) loop
      begin
        execute format(
          $q$delete from public.%I r using public.organizations o
             where o.id = r.org_id and r.org_id = $1 and r.deleted_at < now() - make_interval(days => o.trash_retention_days)$q$,
          tracked.table_name
        ) using org;
        get diagnostics purged = row_count;
        total := total + purged;
      exception when others then
        perform private.note_job_failure('trash-purge', org, sqlstate, format('%s: %s', tracked.table_name, sqlerrm));
      end;
    end loop;
  end loop;
  delete from private.job_failures f where f.job = 'trash-purge' and f.last_failed_at < now();
  perform set_config('westwallet.internal_operation', '', true);
  return total;
end;
$$;

-- Billing deadlines ----------------------------------------------------------------------------

create or replace function private.enforce_billing_deadlines()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  due record;
  moved integer := 0;
begin
  for due in
    select s.org_id from public.subscriptions s
    where (s.status = 'trialing' and s.trial_ends_at <= now())
       or (s.status = 'past_due' and s.grace_until <= now())
       or (s.status = 'canceling' and s.current_period_end <= now())
  loop
    begin
      update public.subscriptions s set
        status = 'read_only',
        read_only_reason = case s.status
          when 'trialing' then 'trial_expired' when 'past_due' then 'grace_over' else 'canceled' end
      where s.org_id = due.org_id;
      moved := moved + 1;
    exception when others then
      perform private.note_job_failure('billing-deadlines', due.org_id, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'billing-deadlines' and f.last_failed_at < now();
  return moved;
end;
$$;

-- Monthly credits ------------------------------------------------------------------------------

create or replace function private.refill_monthly_credits(day date default current_date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  month text := to_char(day, 'YYYY-MM');
  refilled integer := 0;
  paying record;
begin
  for paying in
    select s.org_id, p.name, p.monthly_credits
    from public.subscriptions s join public.plans p on p.id = s.plan_id
    where s.status in ('active', 'canceling') and s.suspended_at is null and p.monthly_credits > 0
      and not exists (select from public.credit_ledger l where l.org_id = s.org_id and l.idempotency_key = 'refill:' || month)
  loop
    begin
      perform private.post_credits(
        paying.org_id, paying.monthly_credits, 'monthly_refill',
        format('%s plan allowance for %s', paying.name, month), null, 'refill:' || month
      );
      refilled := refilled + 1;
    exception when others then
      perform private.note_job_failure('credits-monthly-refill', paying.org_id, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'credits-monthly-refill' and f.last_failed_at < now();
  return refilled;
end;
$$;
