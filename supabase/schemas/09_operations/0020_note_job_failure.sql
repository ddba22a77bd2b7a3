-- Called from a job's exception handler: the organization's part of the run was rolled back.
-- The server log gets a warning the first time, the table every time. A daily job ends its run
-- by deleting its rows that this run did not touch (last_failed_at < now(), the run's start);
-- the fold, which commits per organization, deletes an organization's row when it folds.
create function private.note_job_failure(job text, org_id uuid, error_code text, error_message text)
returns void
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  failures integer;
begin
  insert into private.job_failures as f (org_id, job, error_code, error_message)
  values (note_job_failure.org_id, note_job_failure.job, note_job_failure.error_code, note_job_failure.error_message)
  on conflict (org_id, job) do update set
    failures = f.failures + 1, last_failed_at = now(),
    error_code = excluded.error_code, error_message = excluded.error_message
  returning f.failures into failures;
  if failures = 1 then
    raise warning 'job % failed for organization %: % %', job, org_id, error_code, error_message;
  end if;
end;
$$;

comment on function private.note_job_failure(text, uuid, text, text) is
  'Records that a job failed for one organization (admin.failing_jobs); the job goes on with the others.';
