create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  endpoint_id uuid not null,
  -- private.webhook_events.id, without a foreign key: a key into a private table would pair
  -- org_id with org_id (the tenancy rules), and both rows go with their organization anyway.
  event_id text not null,
  event_type text not null,
  -- pending: an attempt is due at next_attempt_at; delivered: a 2xx came back; dead: the
  -- schedule ran out or the endpoint is disabled (replay_webhook_delivery sends it again).
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  -- While a worker sends it; a worker that died lets another take it after this.
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_latency_ms integer,
  -- The start of the receiver's answer, at most 1,000 characters.
  last_response text check (length(last_response) <= 1000),
  last_error text check (length(last_error) <= 1000),
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  foreign key (org_id, endpoint_id) references public.webhook_endpoints (org_id, id) on delete cascade,
  check ((status = 'delivered') = (delivered_at is not null))
);

comment on table public.webhook_deliveries is
  'The delivery log: one row per event and endpoint, with its last attempt (status, latency, the answer''s start). Admins read it; replay_webhook_delivery and replay_failed_webhook_deliveries send again.';

create index webhook_deliveries_org_id_endpoint_id_idx on public.webhook_deliveries (org_id, endpoint_id, created_at desc);

create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at) where status = 'pending';

alter table public.webhook_deliveries enable row level security;

create policy "admins read their organization's webhook deliveries" on public.webhook_deliveries
  for select to authenticated
  using ((select private.has_org_role(org_id, 'admin')));

grant select on public.webhook_deliveries to authenticated;

-- The queue's messages carry only a delivery id; the row is the truth.
select pgmq.create('webhooks');
