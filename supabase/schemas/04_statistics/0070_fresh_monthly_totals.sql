-- The totals as they should be, from the transactions themselves.
create function private.fresh_monthly_totals(org_id uuid)
returns table (dimension "char", month date, key uuid, expense_minor bigint, income_minor bigint,
               fixed_minor bigint, net_minor bigint, entries bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select l.dimension, l.month, l.key, sum(l.expense_minor)::bigint, sum(l.income_minor)::bigint,
         sum(l.fixed_minor)::bigint, sum(l.net_minor)::bigint, sum(l.entries)::bigint
  from public.transactions t
  cross join lateral unnest(private.transaction_lines(t, 1)) l
  where t.org_id = fresh_monthly_totals.org_id and t.deleted_at is null
  group by l.dimension, l.month, l.key;
$$;
