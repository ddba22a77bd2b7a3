-- The worker's time is up between two steps: the job stays running (it keeps its place among
-- its organization's running jobs) and its message is visible again for the next worker.
create function private.release_job(job_id uuid, lease uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  run private.job_runs;
begin
  perform from public.jobs j where j.id = release_job.job_id for update;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = release_job.job_id and r.lease = release_job.lease
  returning * into run;
  if found then
    perform pgmq.set_vt(run.queue, run.msg_id, 0);
  end if;
end;
$$;

comment on function private.release_job(uuid, uuid) is
  'For the jobs-worker: gives a running job back to the queue between steps, to go on in the next invocation.';
