-- The one way a job is created: the row, its queue message and its run row in the caller's
-- transaction, a broadcast, and a worker called after commit. The same idempotency key returns
-- the job it created the first time (IDEMPOTENCY_CONFLICT if the kind or parameters differ).
create function private.submit_job(
  org_id uuid,
  kind text,
  params jsonb,
  idempotency_key text,
  priority public.job_priority,
  requested_by uuid
)
returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  job_kind private.job_kinds;
  job public.jobs;
  queue text := case submit_job.priority when 'interactive' then 'jobs' else 'jobs_scheduled' end;
begin
  select * into job_kind from private.job_kinds k where k.name = submit_job.kind;
  if not found then
    raise sqlstate 'PT400' using message = 'JOB_KIND_UNKNOWN', detail = format('No job kind %s.', submit_job.kind);
  end if;
  if submit_job.params is null or jsonb_typeof(submit_job.params) <> 'object' then
    raise sqlstate 'PT400' using message = 'JOB_PARAMS_INVALID', detail = 'The parameters must be a JSON object.';
  end if;

  insert into public.jobs as j (org_id, kind, params, priority, max_attempts, requested_by, idempotency_key)
  values (submit_job.org_id, submit_job.kind, submit_job.params, submit_job.priority, job_kind.max_attempts,
          submit_job.requested_by, submit_job.idempotency_key)
  on conflict on constraint jobs_org_id_idempotency_key_key do nothing
  returning * into job;

  if job.id is null then
    select * into job from public.jobs j
    where j.org_id = submit_job.org_id and j.idempotency_key = submit_job.idempotency_key;
    if job.kind <> submit_job.kind or job.params <> submit_job.params then
      raise sqlstate 'PT409' using message = 'IDEMPOTENCY_CONFLICT',
        detail = format('The key %s was used for another job (%s).', submit_job.idempotency_key, job.id);
    end if;
    return job;
  end if;

  insert into private.job_runs (job_id, org_id, queue, msg_id)
  select job.id, job.org_id, queue, m.id
  from pgmq.send(queue, jsonb_build_object('job_id', job.id)) as m (id);
  perform private.broadcast_job(job);
  perform private.kick_jobs_worker();
  return job;
end;
$$;

comment on function private.submit_job(uuid, text, jsonb, text, public.job_priority, uuid) is
  'Creates a job and queues it (no role check: callers check). Schedules call it with priority scheduled.';
