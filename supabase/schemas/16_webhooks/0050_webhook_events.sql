-- An event as it happened, once, whatever number of endpoints receive it. `id` is the
-- Standard Webhooks `webhook-id` of every delivery of it, the same on each retry, so a receiver
-- drops duplicates by it.
create table private.webhook_events (
  id text primary key default 'msg_' || replace(gen_random_uuid()::text, '-', ''),
  org_id uuid not null references public.organizations (id) on delete cascade,
  type text not null,
  -- The `data` of the payload (docs/webhooks.md has each type's shape).
  data jsonb not null check (jsonb_typeof(data) = 'object'),
  created_at timestamptz not null default now()
);

comment on table private.webhook_events is 'Outbound webhook events, one per happening; deliveries point at them.';

create index webhook_events_org_id_idx on private.webhook_events (org_id, created_at);

alter table private.webhook_events enable row level security;
