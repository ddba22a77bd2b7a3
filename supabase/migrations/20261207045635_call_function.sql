-- One way for the database to call an edge function after commit with the secret key from the
-- vault, used by the jobs worker's and the mail sender's kicks.
-- Touches: private.call_function (new), private.kick_jobs_worker, private.kick_mail_send.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.call_function(name text, timeout_milliseconds integer)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  project_url text;
  secret_key text;
begin
  select max(s.decrypted_secret) filter (where s.name = 'project_url'),
         max(s.decrypted_secret) filter (where s.name = 'secret_key')
  into project_url, secret_key
  from vault.decrypted_secrets s
  where s.name in ('project_url', 'secret_key');
  if project_url is null or secret_key is null then
    return false;
  end if;
  perform net.http_post(
    url := project_url || '/functions/v1/' || call_function.name,
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || secret_key),
    body := '{}'::jsonb,
    timeout_milliseconds := call_function.timeout_milliseconds
  );
  return true;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.kick_jobs_worker()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.kick_mail_send()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform private.call_function('mail-send', 30000);
end;
$function$
;

comment on function private.call_function(pg_catalog.text,integer) is 'POSTs {} to the edge function `name` with the secret key after commit (pg_net); false when the vault lacks project_url or secret_key.';

revoke all on function private.call_function(text,integer) from public, anon, authenticated, service_role;
