-- An operator runs a dead, failed or canceled job again, after fixing the cause: its attempts
-- start over and it resumes from its last checkpoint.
create function admin.retry_job(job_id uuid)
returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  job public.jobs;
  run private.job_runs;
begin
  update public.jobs j
  set status = 'queued', attempts = 0, run_after = now(), finished_at = null, updated_at = now()
  where j.id = retry_job.job_id and j.status in ('dead', 'failed', 'canceled')
  returning * into job;
  if job.id is null then
    raise sqlstate 'PT409' using message = 'JOB_NOT_RETRYABLE',
      detail = format('Job %s is not dead, failed or canceled.', retry_job.job_id);
  end if;
  select * into run from private.job_runs r where r.job_id = job.id;
  update private.job_runs r
  set msg_id = m.id, leased_until = null, lease = null
  from pgmq.send(run.queue, jsonb_build_object('job_id', job.id)) as m (id)
  where r.job_id = job.id;
  perform private.broadcast_job(job);
  perform private.kick_jobs_worker();
  return job;
end;
$$;

comment on function admin.retry_job(uuid) is
  'Runs a dead, failed or canceled job again from its last checkpoint, with its attempts reset.';

create function admin.cancel_job(job_id uuid)
returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  job public.jobs;
begin
  select * into job from public.jobs j where j.id = cancel_job.job_id for update;
  if job.id is null then
    raise sqlstate 'PT404' using message = 'JOB_NOT_FOUND', detail = format('No job %s.', cancel_job.job_id);
  end if;
  if job.status not in ('queued', 'running') then
    return job;
  end if;
  return private.stop_job(job.id, 'canceled');
end;
$$;

comment on function admin.cancel_job(uuid) is
  'Cancels any queued or running job; a running one stops at its next step.';
