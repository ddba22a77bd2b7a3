create table private.monthly_totals (
  org_id uuid not null references public.organizations (id) on delete cascade,
  month date not null,
  -- c: category (base currency), v: vendor (base currency), a: account (the account's currency).
  dimension "char" not null check (dimension in ('c', 'v', 'a')),
  -- The category, vendor or account; the nil uuid for "none" (uncategorized, no vendor).
  key uuid not null,
  -- Concurrent writers to one organization add to different rows (slot = their backend), so
  -- they do not queue behind each other's row locks; readers sum the slots.
  slot smallint not null,
  expense_minor bigint not null default 0,
  income_minor bigint not null default 0,
  -- Expenses linked to a contract: the fixed costs.
  fixed_minor bigint not null default 0,
  -- Accounts only: what came in minus what went out.
  net_minor bigint not null default 0,
  entries integer not null default 0,
  primary key (org_id, dimension, month, key, slot)
);

alter table private.monthly_totals drop constraint monthly_totals_dimension_check;

alter table private.monthly_totals add constraint monthly_totals_dimension_check
  check (dimension in ('c', 'v', 'y', 'a'));

comment on column private.monthly_totals.dimension is
  'c: category, v: vendor, y: vendor by year (month is January 1), a: account.';

-- Every write updates a few of these rows: room on each page keeps the new versions on the same
-- page (HOT, no index entry), so an organization's rows stay together. And a read is one
-- organization's few thousand rows at most, which a parallel plan only slows down.
alter table private.monthly_totals set (fillfactor = 80, parallel_workers = 0);

alter table private.monthly_totals
  drop constraint monthly_totals_pkey,
  add constraint monthly_totals_pkey primary key (org_id, dimension, month, key, slot)
    include (expense_minor, income_minor, fixed_minor, net_minor, entries);

alter table private.monthly_totals drop constraint monthly_totals_pkey;

alter table private.monthly_totals drop column slot;

alter table private.monthly_totals
  add constraint monthly_totals_pkey primary key (org_id, dimension, month, key)
    include (expense_minor, income_minor, fixed_minor, net_minor, entries);

comment on table private.monthly_totals is
  'Sums of live transactions by month and category, vendor or account, folded from private.pending_totals; read through private.live_totals by expense_stats(), dashboard() and account_balances().';
