-- Calls the mail-send function after commit (private.call_function), so the function finds the
-- row it is told about. Without the vault secrets (a database no stack serves) the dispatcher's
-- next run sends it.
create function private.kick_mail_send()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform private.call_function('mail-send', 30000);
end;
$$;

comment on function private.kick_mail_send() is
  'Asks the mail-send function, after commit, to send what is due (project_url and secret_key from the vault).';
