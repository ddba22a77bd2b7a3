create type private.mail_status as enum ('pending', 'sent', 'dead');

create table private.mail_outbox (
  id uuid primary key default gen_random_uuid(),
  -- The organization the mail is about (an invitation's), for operators; null for none.
  org_id uuid references public.organizations (id) on delete set null,
  template text not null check (template in ('invitation', 'export_ready')),
  locale public.locale not null default 'en',
  recipient text not null check (recipient = lower(btrim(recipient)) and recipient ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  -- What the template needs. Secrets in it (an invitation's) are removed once the mail is sent.
  variables jsonb not null default '{}' check (jsonb_typeof(variables) = 'object'),
  -- Sent with every attempt (Resend's Idempotency-Key, the SMTP Message-ID), so a provider that
  -- accepted an attempt whose answer was lost does not send the retry again.
  idempotency_key text not null unique,
  status private.mail_status not null default 'pending',
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  -- While a worker sends it; a worker that died lets another take it after this.
  locked_until timestamptz,
  last_error text,
  provider_message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  dead_at timestamptz,
  check ((status = 'sent') = (sent_at is not null)),
  check ((status = 'dead') = (dead_at is not null))
);

comment on table private.mail_outbox is
  'Mail the application sends (not Auth''s), written in the transaction that causes it and sent by the mail-send function: pending until sent, dead after its last attempt. admin.mail_outbox shows it.';

create index mail_outbox_due_idx on private.mail_outbox (next_attempt_at) where status = 'pending';

create index mail_outbox_org_id_idx on private.mail_outbox (org_id, created_at desc);

create index mail_outbox_recipient_idx on private.mail_outbox (recipient, created_at desc);

alter table private.mail_outbox enable row level security;

-- The queue's messages carry only an outbox id; the row is the truth.
select pgmq.create('mail');
