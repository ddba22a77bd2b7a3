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
