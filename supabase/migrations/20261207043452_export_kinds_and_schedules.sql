-- The export kinds join the job kinds; a nightly purge of expired export files and a monthly PDF
-- report per active organization are scheduled as jobs.
-- Touches: private.job_kinds, private.enqueue_export_purges (new),
-- private.enqueue_monthly_reports (new), cron jobs exports-purge and exports-monthly-report.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.enqueue_export_purges()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  enqueued integer := 0;
  org uuid;
begin
  for org in
    select distinct o.id
    from admin.expired_exports e
    join public.organizations o on o.id::text = split_part(e.object_path, '/', 1)
  loop
    begin
      perform private.submit_job(org, 'export.purge', '{}'::jsonb, 'export.purge:' || current_date,
                                 'scheduled', null);
      enqueued := enqueued + 1;
    exception when others then
      perform private.note_job_failure('exports-purge', org, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'exports-purge' and f.last_failed_at < now();
  return enqueued;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.enqueue_monthly_reports(day date DEFAULT CURRENT_DATE)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  month_start date := (date_trunc('month', day) - interval '1 month')::date;
  enqueued integer := 0;
  org uuid;
begin
  for org in
    select o.id from public.organizations o
    where exists (
      select from public.transactions t
      where t.org_id = o.id and t.deleted_at is null
        and t.booked_on >= month_start and t.booked_on < (month_start + interval '1 month')::date
    )
  loop
    begin
      perform private.submit_job(
        org, 'report.pdf',
        jsonb_build_object('year', extract(year from month_start)::int, 'month', extract(month from month_start)::int),
        'report.pdf:' || to_char(month_start, 'YYYY-MM'), 'scheduled', null
      );
      enqueued := enqueued + 1;
    exception when others then
      perform private.note_job_failure('exports-monthly-report', org, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'exports-monthly-report' and f.last_failed_at < now();
  return enqueued;
end;
$function$
;

create or replace view "private"."job_kinds" as  SELECT name,
    role,
    max_attempts,
    retry_base_seconds,
    description
   FROM ( VALUES ('diagnostics.probe'::text,'member'::org_role,4,1,'Diagnostic: runs `steps` steps (one row each in private.diagnostic_probe_steps), can fail its first `fail_times` runs, sleep `step_ms` per step, or hang once at `hang_at_step` past the worker''s step limit; shows that retries, recovery and progress work.'::text), ('maintenance.rebuild_totals'::text,'admin'::org_role,3,30,'Recomputes the organization''s statistics from its transactions (private.rebuild_monthly_totals).'::text), ('export.csv'::text,'viewer'::org_role,5,10,'Transactions as CSV, with the filters of search_transactions (docs/exports.md).'::text), ('export.xlsx'::text,'viewer'::org_role,5,10,'An Excel workbook: transactions, month-by-category summary, budgets, contracts, vehicles, warranties, insurances.'::text), ('report.pdf'::text,'viewer'::org_role,5,10,'A month or year report as PDF in the organization''s language.'::text), ('export.backup'::text,'admin'::org_role,5,10,'A full backup as ZIP: manifest, NDJSON per table, CSVs and every attachment''s file.'::text), ('export.purge'::text,'owner'::org_role,3,60,'Removes the organization''s export files past their retention (admin.expired_exports).'::text)) k(name, role, max_attempts, retry_base_seconds, description);

comment on function private.enqueue_export_purges() is 'Enqueues export.purge for each organization with export files past their retention (nightly).';
comment on function private.enqueue_monthly_reports(pg_catalog.date) is 'Enqueues report.pdf of the month before `day` for each organization that booked anything in it (monthly).';

revoke all on function private.enqueue_export_purges() from public, anon, authenticated, service_role;
revoke all on function private.enqueue_monthly_reports(date) from public, anon, authenticated, service_role;

select cron.schedule('exports-monthly-report', '0 5 1 * *', 'select private.enqueue_monthly_reports()');
select cron.schedule('exports-purge', '30 3 * * *', 'select private.enqueue_export_purges()');
