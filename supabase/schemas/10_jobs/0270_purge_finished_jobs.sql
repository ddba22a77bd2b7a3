-- How long a finished job's row stays: long enough for a member to find last month's export in
-- the list (its file goes after 7 days) and an operator to read a failure, short enough that the
-- table does not grow with every export and report forever.
create function private.job_retention()
returns interval
language sql
immutable
set search_path = ''
as $$
  select interval '30 days';
$$;

comment on function private.job_retention() is
  'How long a succeeded, failed or canceled job is kept after it finished; dead jobs wait for an operator.';

-- Removes the jobs that finished longer ago than the retention, with their checkpoints (cascade).
-- Dead jobs stay: an operator retries or cancels them (admin.dead_jobs).
create function private.purge_finished_jobs()
returns integer
language sql
set search_path = ''
as $$
  with purged as (
    delete from public.jobs j
    where j.status in ('succeeded', 'failed', 'canceled')
      and j.finished_at < now() - private.job_retention()
    returning 1
  )
  select count(*)::integer from purged;
$$;

comment on function private.purge_finished_jobs() is
  'Deletes jobs finished (succeeded, failed, canceled) longer ago than private.job_retention(); nightly.';

select cron.schedule('jobs-purge', '47 3 * * *', 'select private.purge_finished_jobs()');
