-- A job that found its organization at its limit of running jobs was put back for a few
-- seconds; when a slot frees, the oldest such job is made visible again at once.
create function private.wake_next_job(org_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  run private.job_runs;
begin
  select r.* into run
  from public.jobs j
  join private.job_runs r on r.job_id = j.id
  where j.org_id = wake_next_job.org_id and j.status = 'queued' and j.run_after <= now()
  order by j.priority, j.created_at
  limit 1;
  if found then
    perform pgmq.set_vt(run.queue, run.msg_id, 0);
  end if;
end;
$$;

comment on function private.wake_next_job(uuid) is
  'Makes the organization''s next waiting job visible in its queue, when one of its running jobs ends.';
