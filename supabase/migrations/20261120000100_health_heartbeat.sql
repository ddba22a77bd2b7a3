-- A heartbeat: every five minutes the database calls the `health` edge function through pg_net.
-- It shows on every stack that schedules run and reach the functions; the answers are kept in
-- net._http_response (for a day on the platform) for an operator to look at.
--
-- The function's base URL comes from the vault secret `project_url`, set once per hosted
-- project (see the README); the local stack keeps it pointing at itself.
-- Touches: cron.job.

select cron.schedule(
  'health-heartbeat',
  '*/5 * * * *',
  $job$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/health',
    body := jsonb_build_object('source', 'heartbeat'),
    timeout_milliseconds := 10000
  );
  $job$
);
