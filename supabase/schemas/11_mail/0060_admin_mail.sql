create view admin.mail_outbox as
select m.id, m.status, m.template, m.recipient, m.locale, m.org_id, o.name as organization, m.attempts,
       m.next_attempt_at, m.last_error, m.provider_message_id, m.idempotency_key, m.created_at, m.sent_at, m.dead_at
from private.mail_outbox m
left join public.organizations o on o.id = m.org_id
order by m.created_at desc;

comment on view admin.mail_outbox is
  'The application''s mail, newest first: pending (with its next attempt and last error), sent, or dead (retry with admin.retry_mail).';

-- An operator sends a dead or waiting mail again now, under the same idempotency key.
create function admin.retry_mail(outbox_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update private.mail_outbox m
  set status = 'pending', dead_at = null, next_attempt_at = now(), locked_until = null,
      attempts = case when m.status = 'dead' then 0 else m.attempts end
  where m.id = outbox_id and m.status <> 'sent';
  if not found then
    raise sqlstate 'PT404' using message = 'MAIL_NOT_FOUND', detail = 'No such unsent mail.';
  end if;
  perform pgmq.send('mail', jsonb_build_object('outbox_id', outbox_id));
  perform private.kick_mail_send();
end;
$$;

comment on function admin.retry_mail(uuid) is
  'Sends a dead or waiting mail again now (same idempotency key, so a provider that had it does not send it twice).';
