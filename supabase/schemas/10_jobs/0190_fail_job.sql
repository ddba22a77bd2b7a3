-- A step failed. An error retrying cannot fix (bad parameters) fails the job at once; another
-- waits its backoff and runs again from its last checkpoint, until the last attempt: then the
-- job is dead, kept for operators (admin.dead_jobs, admin.retry_job).
create function private.fail_job(
  job_id uuid,
  lease uuid,
  error_code text,
  error_message text,
  error_detail text,
  retryable boolean
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  held boolean;
  job public.jobs;
  run private.job_runs;
  delay interval;
begin
  select * into job from public.jobs j where j.id = fail_job.job_id for update;
  select r.lease = fail_job.lease into held from private.job_runs r where r.job_id = fail_job.job_id for update;
  if not coalesce(held, false) then
    return 'lost';
  end if;
  if job.status <> 'running' then
    return job.status::text;
  end if;
  update public.jobs j
  set last_error_code = left(fail_job.error_code, 100), last_error_message = left(fail_job.error_message, 2000)
  where j.id = job.id;
  update private.job_runs r set error_detail = left(fail_job.error_detail, 4000) where r.job_id = job.id;
  if not retryable then
    perform private.stop_job(job.id, 'failed');
    return 'failed';
  end if;
  if job.attempts >= job.max_attempts then
    perform private.stop_job(job.id, 'dead');
    return 'dead';
  end if;
  delay := private.retry_delay((select k.retry_base_seconds from private.job_kinds k where k.name = job.kind), job.attempts);
  update public.jobs j
  set status = 'queued', run_after = now() + delay, updated_at = now()
  where j.id = job.id
  returning * into job;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = job.id
  returning * into run;
  perform pgmq.set_vt(run.queue, run.msg_id, ceil(extract(epoch from delay))::integer);
  perform private.broadcast_job(job);
  perform private.wake_next_job(job.org_id);
  return 'queued';
end;
$$;

comment on function private.fail_job(uuid, uuid, text, text, text, boolean) is
  'For the jobs-worker: a step failed; the job is retried after a backoff, or ends failed (not retryable) or dead (last attempt).';
