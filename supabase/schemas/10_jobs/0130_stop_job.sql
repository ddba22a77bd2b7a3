-- Ends a job for good (succeeded, failed, canceled or dead): its message leaves the queue and
-- the next waiting job of its organization may start at once instead of after its deferral.
create function private.stop_job(job_id uuid, status public.job_status, result jsonb default null)
returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  job public.jobs;
  run private.job_runs;
begin
  update public.jobs j
  set status = stop_job.status, finished_at = now(), updated_at = now(),
      result = coalesce(stop_job.result, j.result),
      progress = case when stop_job.status = 'succeeded' then 1 else j.progress end
  where j.id = stop_job.job_id
  returning * into job;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = stop_job.job_id
  returning * into run;
  perform pgmq.delete(run.queue, run.msg_id);
  perform private.broadcast_job(job);
  perform private.wake_next_job(job.org_id);
  return job;
end;
$$;

comment on function private.stop_job(uuid, public.job_status, jsonb) is
  'Gives a job its final status, takes its message off the queue and lets the organization''s next job start.';
