-- Moves an organization's pending lines into its totals. Concurrent folds (the job and a call by
-- hand) take disjoint rows, since a deleted row is returned to one of them only; the organization's
-- row, shared, makes a rebuild (for update) wait for the fold and the fold for it, while writes
-- (for key share) go on.
create function private.fold_pending_totals(org_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  written integer;
begin
  perform 1 from public.organizations o where o.id = fold_pending_totals.org_id for share;
  with moved as (
    delete from private.pending_totals p where p.org_id = fold_pending_totals.org_id returning p.lines
  )
  insert into private.monthly_totals as m
    (org_id, dimension, month, key, expense_minor, income_minor, fixed_minor, net_minor, entries)
  select fold_pending_totals.org_id, l.dimension, l.month, l.key,
         sum(l.expense_minor), sum(l.income_minor), sum(l.fixed_minor), sum(l.net_minor), sum(l.entries)
  from moved cross join lateral unnest(moved.lines) l
  group by l.dimension, l.month, l.key
  having sum(l.expense_minor) <> 0 or sum(l.income_minor) <> 0 or sum(l.fixed_minor) <> 0
      or sum(l.net_minor) <> 0 or sum(l.entries) <> 0
  -- Rows locked in one order by every fold, so two never wait for each other in a circle.
  order by l.dimension, l.month, l.key
  on conflict (org_id, dimension, month, key) do update set
    expense_minor = m.expense_minor + excluded.expense_minor,
    income_minor = m.income_minor + excluded.income_minor,
    fixed_minor = m.fixed_minor + excluded.fixed_minor,
    net_minor = m.net_minor + excluded.net_minor,
    entries = m.entries + excluded.entries;
  get diagnostics written = row_count;
  return written;
end;
$$;
