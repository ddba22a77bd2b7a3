create table private.billing_notices (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (kind in ('credits_low', 'trial_will_end', 'payment_failed')),
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  handled_at timestamptz
);

comment on table private.billing_notices is
  'Billing events someone should hear about (low credits, a trial ending, a failed payment): the outbox reminders read.';

create index billing_notices_pending_idx on private.billing_notices (created_at) where handled_at is null;

create index billing_notices_org_id_idx on private.billing_notices (org_id, created_at);
