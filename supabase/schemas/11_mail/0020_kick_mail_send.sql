-- Calls the mail-send function through pg_net, which sends the request after the transaction
-- commits (and not at all if it rolls back), so the function finds the row it is told about.
-- Without the vault secrets (a database no stack serves) the dispatcher's next run sends it.
create function private.kick_mail_send()
returns void
language plpgsql
set search_path = ''
as $$
declare
  project_url text := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url');
  secret_key text := (select decrypted_secret from vault.decrypted_secrets where name = 'secret_key');
begin
  if project_url is null or secret_key is null then
    return;
  end if;
  perform net.http_post(
    url := project_url || '/functions/v1/mail-send',
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || secret_key),
    body := '{}'::jsonb,
    timeout_milliseconds := 30000
  );
end;
$$;

comment on function private.kick_mail_send() is
  'Asks the mail-send function, after commit, to send what is due (project_url and secret_key from the vault).';
