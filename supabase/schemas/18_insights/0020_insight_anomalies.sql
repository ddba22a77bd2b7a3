create type public.anomaly_kind as enum ('category_month', 'vendor_month', 'duplicate_charge', 'price_increase', 'large_payment');

create table public.insight_anomalies (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The finding's stable key (`duplicate_charge:<id>:<id>`, `category_month:<id>:2026-11`, ...):
  -- found again, it is the same row.
  key text not null check (length(key) between 1 and 200),
  kind public.anomaly_kind not null,
  -- The day it concerns; for a month's spending, the month's first day.
  concerns_on date not null check (private.calendar_day_in_range(concerns_on)),
  category_id uuid,
  vendor_id uuid,
  contract_id uuid,
  transaction_ids uuid[] not null default '{}' check (cardinality(transaction_ids) <= 10),
  evidence jsonb not null check (jsonb_typeof(evidence) = 'object' and pg_column_size(evidence) <= 4096),
  found_at timestamptz not null default now(),
  -- Set by whoever announces it (a notification kind, later): an anomaly is announced once.
  notified_at timestamptz,
  unique (org_id, key),
  foreign key (org_id, category_id) references public.categories (org_id, id) on delete set null (category_id),
  foreign key (org_id, vendor_id) references public.vendors (org_id, id) on delete set null (vendor_id),
  foreign key (org_id, contract_id) references public.contracts (org_id, id) on delete set null (contract_id)
);

comment on table public.insight_anomalies is
  'Anomalies the insights function found (POST /functions/v1/insights, kind anomalies), one row per stable key, so each is stored and announced once; members read them. See docs/insights.md.';

create index insight_anomalies_org_id_found_at_idx on public.insight_anomalies (org_id, found_at desc);

-- What a notification job will look for: found, not announced yet.
create index insight_anomalies_org_id_unnotified_idx on public.insight_anomalies (org_id, found_at)
  where notified_at is null;

alter table public.insight_anomalies enable row level security;

create policy "members read their organization's anomalies" on public.insight_anomalies
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

-- Written by the insights function's own connection, never by browsers.
grant select on public.insight_anomalies to authenticated;
