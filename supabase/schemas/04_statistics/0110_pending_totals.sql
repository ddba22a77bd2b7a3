create table private.pending_totals (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id bigint generated always as identity,
  -- What one write adds to the totals (a negative line takes away), as transaction_lines() gives it.
  lines private.total_line[] not null,
  primary key (org_id, id)
);

alter table private.pending_totals enable row level security;

comment on table private.pending_totals is
  'Lines written but not yet folded into private.monthly_totals (fold_all_pending_totals, every second); read with them through private.live_totals.';
