-- After each step: the new checkpoint and progress, and the lease renewed for the next step.
-- Answers running, or why the worker must stop: canceled (or any final status) or lost (another
-- worker took the job over after this one's lease ran out).
create function private.save_job_step(
  job_id uuid,
  lease uuid,
  state jsonb,
  progress numeric,
  progress_message text,
  lease_seconds integer
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  job public.jobs;
  run private.job_runs;
begin
  -- The job's row before its run row, in every function, so two of them never deadlock.
  perform from public.jobs j where j.id = save_job_step.job_id for update;
  select * into run from private.job_runs r where r.job_id = save_job_step.job_id for update;
  if run.lease is distinct from save_job_step.lease then
    return 'lost';
  end if;
  update public.jobs j
  set progress = least(greatest(coalesce(save_job_step.progress, j.progress), 0), 1),
      progress_message = left(save_job_step.progress_message, 500), updated_at = now()
  where j.id = save_job_step.job_id and j.status = 'running'
  returning * into job;
  if job.id is null then
    return (select j.status::text from public.jobs j where j.id = save_job_step.job_id);
  end if;
  update private.job_runs r
  set state = save_job_step.state, leased_until = now() + make_interval(secs => lease_seconds)
  where r.job_id = save_job_step.job_id;
  perform pgmq.set_vt(run.queue, run.msg_id, lease_seconds);
  perform private.broadcast_job(job);
  return 'running';
end;
$$;

comment on function private.save_job_step(uuid, uuid, jsonb, numeric, text, integer) is
  'For the jobs-worker: saves a step''s checkpoint and progress; answers running, lost or the job''s final status.';
