create table private.monthly_totals (
  org_id uuid not null references public.organizations (id) on delete cascade,
  month date not null,
  dimension "char" not null constraint monthly_totals_dimension_check check (dimension in ('c', 'v', 'y', 'a')),
  -- The category, vendor or account; the nil uuid for "none" (uncategorized, no vendor).
  key uuid not null,
  expense_minor bigint not null default 0,
  income_minor bigint not null default 0,
  -- Expenses linked to a contract: the fixed costs.
  fixed_minor bigint not null default 0,
  -- Accounts only: what came in minus what went out.
  net_minor bigint not null default 0,
  entries integer not null default 0,
  -- The sums ride in the key, so dashboard and expense_stats read them with index-only scans.
  constraint monthly_totals_pkey primary key (org_id, dimension, month, key)
    include (expense_minor, income_minor, fixed_minor, net_minor, entries)
);

comment on column private.monthly_totals.dimension is
  'c: category, v: vendor, y: vendor by year (month is January 1), a: account.';

-- The fold updates a few of these rows per organization each second: room on each page keeps an
-- organization's rows together. A read is one organization's few thousand rows at most, which a
-- parallel plan only slows down.
alter table private.monthly_totals set (fillfactor = 80, parallel_workers = 0);

comment on table private.monthly_totals is
  'Sums of live transactions by month and category, vendor or account, folded from private.pending_totals; read through private.live_totals by expense_stats(), dashboard() and account_balances().';
