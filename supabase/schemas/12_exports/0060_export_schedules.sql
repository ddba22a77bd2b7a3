-- What runs on its own: each night the expired export files of every organization that has some
-- are purged, and on the first of each month every organization that booked anything in the
-- month before gets that month's PDF report. Both enqueue scheduled jobs (after interactive work)
-- with an idempotency key per day or month, so a second run of a schedule adds nothing.
-- Each organization in a subtransaction: one that cannot take a job does not stop the others.

create function private.enqueue_export_purges()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.enqueue_export_purges() is
  'Enqueues export.purge for each organization with export files past their retention (nightly).';

create function private.enqueue_monthly_reports(day date default current_date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.enqueue_monthly_reports(date) is
  'Enqueues report.pdf of the month before `day` for each organization that booked anything in it (monthly).';

select cron.schedule('exports-purge', '30 3 * * *', 'select private.enqueue_export_purges()');
select cron.schedule('exports-monthly-report', '0 5 1 * *', 'select private.enqueue_monthly_reports()');
