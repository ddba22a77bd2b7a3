-- Calls one of the project's edge functions with the secret key through pg_net, which sends the
-- request once the transaction commits (and never if it rolls back), so the function finds what
-- the transaction wrote. The address and the key come from the vault secrets `project_url` and
-- `secret_key`, which an operator sets once on a hosted project (docs/deploying.md) and the local
-- stack keeps pointing at itself. False, with nothing sent, while either is missing.
create function private.call_function(name text, timeout_milliseconds integer)
returns boolean
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.call_function(text, integer) is
  'POSTs {} to the edge function `name` with the secret key after commit (pg_net); false when the vault lacks project_url or secret_key.';
