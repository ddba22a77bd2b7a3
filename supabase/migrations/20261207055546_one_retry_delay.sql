-- One backoff for everything that retries: outbox mail now waits by private.retry_delay (with a
-- growth of 4) instead of a formula of its own.
-- Touches: private.retry_delay (a growth argument, default 2), private.mail_failed.

drop function if exists "private"."retry_delay"(base_seconds integer, failures integer);

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.retry_delay(base_seconds integer, failures integer, growth integer DEFAULT 2)
 RETURNS interval
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select make_interval(
    secs => least(base_seconds * power(growth, greatest(failures, 1) - 1), 3600) * (0.5 + random() / 2)
  );
$function$
;

CREATE OR REPLACE FUNCTION private.mail_failed(outbox_id uuid, error text, max_attempts integer DEFAULT 8)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  failed private.mail_outbox;
  waits interval;
begin
  select * into failed from private.mail_outbox m where m.id = outbox_id for update;
  if failed.attempts >= max_attempts then
    update private.mail_outbox m
    -- The secret stays: an operator's admin.retry_mail must be able to send the same mail.
    set status = 'dead', dead_at = now(), locked_until = null, last_error = left(error, 2000)
    where m.id = outbox_id;
    return null;
  end if;
  waits := private.retry_delay(5, failed.attempts, 4);
  update private.mail_outbox m
  set next_attempt_at = now() + waits, locked_until = null, last_error = left(error, 2000)
  where m.id = outbox_id;
  return ceil(extract(epoch from waits))::integer;
end;
$function$
;

comment on function private.retry_delay(integer,integer,integer) is 'How long to wait before the next attempt: exponential in the failures so far, with jitter, at most an hour.';

revoke all on function private.retry_delay(integer,integer,integer) from public, anon, authenticated, service_role;
