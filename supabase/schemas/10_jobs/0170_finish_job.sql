create function private.finish_job(job_id uuid, lease uuid, result jsonb)
returns text
language plpgsql
set search_path = ''
as $$
declare
  held boolean;
  job public.jobs;
begin
  select * into job from public.jobs j where j.id = finish_job.job_id for update;
  select r.lease = finish_job.lease into held from private.job_runs r where r.job_id = finish_job.job_id for update;
  if not coalesce(held, false) then
    return 'lost';
  end if;
  if job.status <> 'running' then
    return job.status::text;
  end if;
  update private.job_runs r set state = null where r.job_id = finish_job.job_id;
  perform private.stop_job(job.id, 'succeeded', finish_job.result);
  return 'succeeded';
end;
$$;

comment on function private.finish_job(uuid, uuid, jsonb) is
  'For the jobs-worker: the job succeeded with this result.';
