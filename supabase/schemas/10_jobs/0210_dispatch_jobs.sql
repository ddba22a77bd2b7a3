-- The dispatcher: every second, when a job is due (queued and past its backoff) or a running
-- job has no live worker (released between steps, or left by a worker that died), it calls the
-- worker. The kick after each enqueue makes the first call at once; this one catches the rest.
create function private.dispatch_jobs()
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- Jobs with a run row: one inserted around submit_job has no message, and no worker could take it.
  if exists (select from public.jobs j join private.job_runs r on r.job_id = j.id
             where (j.status = 'queued' and j.run_after <= now())
                or (j.status = 'running' and (r.leased_until is null or r.leased_until < now()))) then
    perform private.kick_jobs_worker();
    return true;
  end if;
  return false;
end;
$$;

comment on function private.dispatch_jobs() is
  'Calls the jobs-worker when work is waiting (pg_cron, every second); answers whether it did.';

select cron.schedule('jobs-dispatch', '1 seconds', 'select private.dispatch_jobs()');
