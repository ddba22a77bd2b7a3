-- Asks the jobs-worker function to run after commit (private.call_function), so the worker sees
-- what was enqueued.
-- Once per transaction: a transaction that enqueues a thousand jobs wakes one worker, and the
-- worker goes on as long as there is work. Not while private.job_worker_limit() workers hold a
-- job: one of them takes the work when it is done with its own.
create function private.kick_jobs_worker()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if current_setting('westwallet.jobs_worker_kicked', true) = 'on'
     or (select count(*) from private.job_runs r where r.leased_until > now()) >= private.job_worker_limit() then
    return;
  end if;
  -- The worker answers when its time budget is spent, within a minute.
  if not private.call_function('jobs-worker', 90000) then
    raise warning 'jobs: the vault secrets project_url and secret_key are not both set; no worker is called';
    return;
  end if;
  perform set_config('westwallet.jobs_worker_kicked', 'on', true);
end;
$$;

comment on function private.kick_jobs_worker() is
  'Calls the jobs-worker function after commit (pg_net), at most once per transaction.';
