create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  url text not null check (length(url) <= 2000),
  description text check (length(description) <= 500),
  -- Event types, `entity.*` or `*` (private.webhook_filter_known checks them on write).
  event_types text[] not null check (cardinality(event_types) between 1 and 100),
  -- The body's shape: the Standard Webhooks payload, or a chat/automation service's.
  preset text not null default 'standard'
    check (preset in ('standard', 'slack', 'teams', 'discord', 'home_assistant')),
  enabled boolean not null default true,
  -- Why it was disabled by the system, null when by an admin or enabled: 'failing' (five days
  -- of failed attempts), 'url_forbidden' (its name resolved to a private or loopback address
  -- when checked after registration, webhooks.check_url).
  disabled_reason text check (disabled_reason in ('failing', 'url_forbidden')),
  -- Since when every attempt failed (null after a success); five days of it disables the endpoint.
  failing_since timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id)
);

comment on table public.webhook_endpoints is
  'Receivers of an organization''s outbound webhooks (docs/webhooks.md): members read them, admins change them through the webhook RPCs. Secrets are in private.webhook_secrets.';

create index webhook_endpoints_org_id_idx on public.webhook_endpoints (org_id, created_at);

create trigger touch_updated_at before update on public.webhook_endpoints
  for each row execute function private.touch_updated_at();

alter table public.webhook_endpoints enable row level security;

create policy "members read their organization's webhook endpoints" on public.webhook_endpoints
  for select to authenticated
  using ((select private.has_org_role(org_id, 'viewer')));

grant select on public.webhook_endpoints to authenticated;

-- Signing secrets, never readable by members: admins read them through webhook_endpoint_secrets.
-- While a rotation's overlap lasts, the old secret (expires_at set) signs beside the new one.
create table private.webhook_secrets (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  endpoint_id uuid not null,
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/]{32}$'),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  foreign key (org_id, endpoint_id) references public.webhook_endpoints (org_id, id) on delete cascade
);

comment on table private.webhook_secrets is 'Signing secrets of webhook endpoints: the current one (expires_at null) and rotated ones during their overlap.';

create index webhook_secrets_org_id_endpoint_id_idx on private.webhook_secrets (org_id, endpoint_id);

alter table private.webhook_secrets enable row level security;

-- A new secret: whsec_ and 24 random bytes in base64, as Svix makes them.
create function private.new_webhook_secret()
returns text
language sql
volatile
set search_path = ''
as $$
  select 'whsec_' || encode(extensions.gen_random_bytes(24), 'base64');
$$;
