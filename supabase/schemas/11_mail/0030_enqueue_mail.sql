create function private.enqueue_mail(
  template text,
  recipient text,
  locale public.locale,
  variables jsonb,
  org_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  outbox_id uuid := gen_random_uuid();
begin
  insert into private.mail_outbox (id, org_id, template, locale, recipient, variables, idempotency_key)
  values (outbox_id, enqueue_mail.org_id, enqueue_mail.template, coalesce(enqueue_mail.locale, 'en'),
          lower(btrim(enqueue_mail.recipient)), enqueue_mail.variables, 'mail-' || outbox_id);
  perform pgmq.send('mail', jsonb_build_object('outbox_id', outbox_id));
  perform private.kick_mail_send();
  return outbox_id;
end;
$$;

comment on function private.enqueue_mail(text, text, public.locale, jsonb, uuid) is
  'Writes a mail to the outbox in the caller''s transaction and queues it for mail-send; returns the outbox id.';
