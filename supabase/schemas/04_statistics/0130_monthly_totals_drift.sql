create or replace function private.monthly_totals_drift(org_id uuid)
returns table (dimension "char", month date, key uuid, kept jsonb, fresh jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  with kept as (
    select m.dimension, m.month, m.key, sum(m.expense_minor)::bigint as expense_minor,
           sum(m.income_minor)::bigint as income_minor, sum(m.fixed_minor)::bigint as fixed_minor,
           sum(m.net_minor)::bigint as net_minor, sum(m.entries)::bigint as entries
    from private.live_totals m
    where m.org_id = monthly_totals_drift.org_id
    group by m.dimension, m.month, m.key
  ), fresh as (
    select * from private.fresh_monthly_totals(monthly_totals_drift.org_id)
  )
  select coalesce(k.dimension, f.dimension), coalesce(k.month, f.month), coalesce(k.key, f.key),
         to_jsonb(k) - 'dimension' - 'month' - 'key', to_jsonb(f) - 'dimension' - 'month' - 'key'
  from kept k
  full join fresh f on (f.dimension, f.month, f.key) = (k.dimension, k.month, k.key)
  where (k.expense_minor, k.income_minor, k.fixed_minor, k.net_minor, k.entries)
        is distinct from (f.expense_minor, f.income_minor, f.fixed_minor, f.net_minor, f.entries)
    and not (f.dimension is null and k.expense_minor = 0 and k.income_minor = 0 and k.fixed_minor = 0
             and k.net_minor = 0 and k.entries = 0);
$$;
