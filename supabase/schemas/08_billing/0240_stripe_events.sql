create table private.stripe_events (
  id text primary key,
  type text not null,
  created timestamptz not null,
  livemode boolean not null default false,
  api_version text,
  payload jsonb not null,
  org_id uuid references public.organizations (id) on delete set null,
  received_at timestamptz not null default now(),
  attempts integer not null default 1,
  processed_at timestamptz,
  -- applied, stale (an older event than what the state shows), ignored (not used, or not ours)
  outcome text,
  error text
);

comment on table private.stripe_events is
  'Every Stripe webhook event received, applied once by id; failed ones keep their error until a retry succeeds.';

create index stripe_events_failed_idx on private.stripe_events (received_at) where processed_at is null;

create index stripe_events_org_id_idx on private.stripe_events (org_id, created);
