-- Asks the jobs-worker function to run, through pg_net, which sends the request once the
-- transaction commits (so the worker sees what it enqueued). The address and the secret key
-- come from the vault secrets `project_url` and `secret_key` (docs/jobs.md, docs/deploying.md).
-- Once per transaction: a transaction that enqueues a thousand jobs wakes one worker, and the
-- worker goes on as long as there is work. Not while private.job_worker_limit() workers hold a
-- job: one of them takes the work when it is done with its own.
create function private.kick_jobs_worker()
returns void
language plpgsql
set search_path = ''
as $$
declare
  project_url text;
  secret_key text;
begin
  if current_setting('westwallet.jobs_worker_kicked', true) = 'on'
     or (select count(*) from private.job_runs r where r.leased_until > now()) >= private.job_worker_limit() then
    return;
  end if;
  select max(s.decrypted_secret) filter (where s.name = 'project_url'),
         max(s.decrypted_secret) filter (where s.name = 'secret_key')
  into project_url, secret_key
  from vault.decrypted_secrets s
  where s.name in ('project_url', 'secret_key');
  if project_url is null or secret_key is null then
    raise warning 'jobs: the vault secrets project_url and secret_key are not both set; no worker is called';
    return;
  end if;
  perform set_config('westwallet.jobs_worker_kicked', 'on', true);
  perform net.http_post(
    url := project_url || '/functions/v1/jobs-worker',
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || secret_key),
    body := '{}'::jsonb,
    -- The worker answers when its time budget is spent, within a minute.
    timeout_milliseconds := 90000
  );
end;
$$;

comment on function private.kick_jobs_worker() is
  'Calls the jobs-worker function after commit (pg_net), at most once per transaction.';
