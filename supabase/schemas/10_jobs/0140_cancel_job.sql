-- A queued job ends at once; a running one at its next step boundary: the worker's checkpoint
-- finds it canceled and stops (the step under way finishes, nothing after it runs).
create function private.cancel_job(job_id uuid)
returns public.jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  job public.jobs;
  caller uuid := private.require_user();
begin
  select * into job from public.jobs j where j.id = cancel_job.job_id for update;
  if job.id is null or not private.has_org_role(job.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'JOB_NOT_FOUND', detail = format('No job %s.', cancel_job.job_id);
  end if;
  if job.requested_by is distinct from caller then
    perform private.require_org_role(job.org_id, 'admin');
  end if;
  if job.status not in ('queued', 'running') then
    return job; -- already over: canceling it again changes nothing
  end if;
  return private.stop_job(job.id, 'canceled');
end;
$$;

grant execute on function private.cancel_job(uuid) to authenticated;

create function public.cancel_job(job_id uuid)
returns public.jobs
language sql
set search_path = ''
as $$
  select * from private.cancel_job(job_id);
$$;

comment on function public.cancel_job is
  'Cancels a queued or running job: members their own, admins any of the organization''s. A running job stops at its next step.';

grant execute on function public.cancel_job(uuid) to authenticated;
