-- The mail-send function's steps, each one statement's worth of state change, so a worker that
-- dies between them leaves a row another worker can take again.

-- Takes a due mail for one attempt (null when it is not due, already taken, sent or dead).
create function private.claim_mail(outbox_id uuid, lock_seconds integer default 60)
returns private.mail_outbox
language sql
set search_path = ''
as $$
  update private.mail_outbox m
  set attempts = m.attempts + 1, locked_until = now() + make_interval(secs => lock_seconds)
  where m.id = outbox_id and m.status = 'pending' and m.next_attempt_at <= now()
    and (m.locked_until is null or m.locked_until < now())
  returning m.*;
$$;

create function private.mail_sent(outbox_id uuid, provider_message_id text)
returns void
language sql
set search_path = ''
as $$
  update private.mail_outbox m
  set status = 'sent', sent_at = now(), locked_until = null, last_error = null,
      provider_message_id = mail_sent.provider_message_id,
      -- The mail is out: nothing in the database needs its secrets any more.
      variables = m.variables - 'secret'
  where m.id = outbox_id;
$$;

-- After a failed attempt: the next one after an exponential backoff with jitter
-- (private.retry_delay: up to 5 s, 20 s, 80 s, ... capped at an hour), or dead after
-- `max_attempts`. Answers the seconds until the next attempt, null when dead.
create function private.mail_failed(outbox_id uuid, error text, max_attempts integer default 8)
returns integer
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.claim_mail(uuid, integer) is 'mail-send: takes a due mail for one attempt, or null.';
comment on function private.mail_sent(uuid, text) is 'mail-send: the provider accepted the mail; its secrets are dropped.';
comment on function private.mail_failed(uuid, text, integer) is
  'mail-send: an attempt failed; schedules the next with backoff and jitter (answers its delay) or marks the mail dead (null).';
