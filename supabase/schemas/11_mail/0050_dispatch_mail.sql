-- The dispatcher: a kick after commit can be lost (the function was down, the request failed),
-- and a retry is due later, so every 10 seconds the queue is looked at, and the function called
-- only when something is due: a quiet outbox costs one query, no invocation.
create function private.dispatch_mail()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select from private.mail_outbox m
    where m.status = 'pending' and m.next_attempt_at <= now() and (m.locked_until is null or m.locked_until < now())
  ) then
    perform private.kick_mail_send();
  end if;
end;
$$;

comment on function private.dispatch_mail() is 'Calls mail-send when a mail is due (pg_cron, every 10 seconds).';

select cron.schedule('mail-dispatch', '10 seconds', 'select private.dispatch_mail()');
