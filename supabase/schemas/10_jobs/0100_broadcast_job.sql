-- Every change of a job's status or progress goes to the organization's topic, so a screen
-- shows a live progress bar (event `job`). The payload names the job `job_id`: Realtime clients
-- drop broadcasts whose `id` they have seen.
create function private.broadcast_job(job public.jobs)
returns void
language sql
set search_path = ''
as $$
  select realtime.send(
    jsonb_build_object(
      'job_id', job.id, 'kind', job.kind, 'status', job.status,
      'progress', job.progress, 'progress_message', job.progress_message,
      'attempts', job.attempts, 'max_attempts', job.max_attempts, 'run_after', job.run_after,
      'updated_at', job.updated_at,
      'last_error_code', job.last_error_code, 'result', job.result
    ),
    'job', 'org:' || job.org_id, true
  );
$$;

comment on function private.broadcast_job(public.jobs) is
  'Broadcasts a job''s status and progress to its organization''s topic (event job).';
