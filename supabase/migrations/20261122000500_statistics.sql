-- Statistics read from the monthly totals, never from the transactions themselves: their cost
-- depends on the number of months and categories asked about, not on how many transactions
-- there are.
-- Touches: nothing (reads private.monthly_totals, categories, vendors).

-- expense_stats(org_id, year): "GET /expenses/stats/:year" -------------------------------------

create function private.expense_stats(org_id uuid, year integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  first_month date;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if year is null or year not between 1900 and 2200 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'year: between 1900 and 2200';
  end if;
  first_month := make_date(year, 1, 1);
  with per_key as (
    select m.key, extract(month from m.month)::integer as month_no,
           sum(m.expense_minor)::bigint as expense_minor, sum(m.income_minor)::bigint as income_minor
    from private.monthly_totals m
    where m.org_id = expense_stats.org_id and m.dimension = 'c'
      and m.month >= first_month and m.month < first_month + interval '1 year'
    group by m.key, m.month
  ),
  months as (
    select g.month_no, coalesce(sum(p.income_minor), 0)::bigint as income_minor,
           coalesce(sum(p.expense_minor), 0)::bigint as expense_minor
    from generate_series(1, 12) as g (month_no)
    left join per_key p on p.month_no = g.month_no
    group by g.month_no
  ),
  categories as (
    select k.key, c.name, c.kind, c.parent_id, c.key as category_key,
           jsonb_agg(coalesce(p.expense_minor, 0) order by g.month_no) as expense_by_month,
           jsonb_agg(coalesce(p.income_minor, 0) order by g.month_no) as income_by_month,
           coalesce(sum(p.expense_minor), 0)::bigint as expense_minor, coalesce(sum(p.income_minor), 0)::bigint as income_minor
    from (select distinct key from per_key) k
    cross join generate_series(1, 12) as g (month_no)
    left join per_key p on p.key = k.key and p.month_no = g.month_no
    left join public.categories c on c.org_id = expense_stats.org_id and c.id = k.key
    group by k.key, c.name, c.kind, c.parent_id, c.key
  )
  select jsonb_build_object(
    'year', year,
    'currency', (select o.base_currency from public.organizations o where o.id = expense_stats.org_id),
    'months', (select jsonb_agg(jsonb_build_object(
                 'month', to_char(make_date(year, m.month_no, 1), 'YYYY-MM'),
                 'income_minor', m.income_minor, 'expense_minor', m.expense_minor,
                 'difference_minor', m.income_minor - m.expense_minor) order by m.month_no) from months m),
    'categories', coalesce((select jsonb_agg(jsonb_build_object(
                 'category_id', nullif(c.key, '00000000-0000-0000-0000-000000000000'),
                 'name', c.name, 'kind', c.kind, 'parent_id', c.parent_id, 'key', c.category_key,
                 'expense_by_month_minor', c.expense_by_month, 'income_by_month_minor', c.income_by_month,
                 'expense_minor', c.expense_minor, 'income_minor', c.income_minor)
               order by c.kind nulls first, c.expense_minor + c.income_minor desc)
               from categories c where c.expense_minor <> 0 or c.income_minor <> 0), '[]'),
    'totals', (select jsonb_build_object('income_minor', coalesce(sum(m.income_minor), 0),
                 'expense_minor', coalesce(sum(m.expense_minor), 0),
                 'difference_minor', coalesce(sum(m.income_minor - m.expense_minor), 0)) from months m)
  ) into result;
  return result;
end;
$$;

create function public.expense_stats(org_id uuid, year integer)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.expense_stats(org_id, year);
$$;
comment on function public.expense_stats is
  'A year in the base currency: income, expenses and their difference per month, and each category''s expenses and income per month (arrays of 12, January first). A category_id of null is uncategorized.';
grant execute on function private.expense_stats(uuid, integer) to authenticated;
grant execute on function public.expense_stats(uuid, integer) to authenticated;

-- dashboard(org_id, from, to) ------------------------------------------------------------------

create function private.dashboard(org_id uuid, from_date date, to_date date)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  first_month date := date_trunc('month', from_date)::date;
  last_month date := date_trunc('month', to_date)::date;
  month_count integer;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if from_date is null or to_date is null or to_date < from_date or to_date - from_date > 3660 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'from_date, to_date: from_date <= to_date, at most ten years apart';
  end if;
  month_count := (extract(year from age(last_month, first_month)) * 12 + extract(month from age(last_month, first_month)))::integer + 1;
  with by_category as (
    select m.key, sum(m.expense_minor)::bigint as expense_minor, sum(m.income_minor)::bigint as income_minor,
           sum(m.fixed_minor)::bigint as fixed_minor
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'c' and m.month between first_month and last_month
    group by m.key
  ),
  by_vendor as (
    select m.key, sum(m.expense_minor)::bigint as expense_minor, sum(m.income_minor)::bigint as income_minor
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'v' and m.month between first_month and last_month
      and m.key <> '00000000-0000-0000-0000-000000000000'
    group by m.key
  ),
  -- Budgets compare with what the category and its subcategories spent.
  budgets as (
    select c.id, c.name, c.monthly_budget_minor * month_count as budget_minor,
           coalesce((select sum(b.expense_minor) from by_category b
                     join public.categories x on x.org_id = c.org_id and x.id = b.key
                     where x.id = c.id or x.parent_id = c.id), 0)::bigint as actual_minor
    from public.categories c
    where c.org_id = dashboard.org_id and c.deleted_at is null and c.monthly_budget_minor is not null
  ),
  totals as (
    select coalesce(sum(b.income_minor), 0)::bigint as income_minor, coalesce(sum(b.expense_minor), 0)::bigint as expense_minor,
           coalesce(sum(b.fixed_minor), 0)::bigint as fixed_minor
    from by_category b
  )
  select jsonb_build_object(
    'from', first_month,
    'to', (last_month + interval '1 month' - interval '1 day')::date,
    'months', month_count,
    'currency', (select o.base_currency from public.organizations o where o.id = dashboard.org_id),
    'income_minor', t.income_minor,
    'expense_minor', t.expense_minor,
    'difference_minor', t.income_minor - t.expense_minor,
    'fixed_expense_minor', t.fixed_minor,
    'variable_expense_minor', t.expense_minor - t.fixed_minor,
    'by_category', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', nullif(b.key, '00000000-0000-0000-0000-000000000000'), 'name', c.name, 'kind', c.kind,
        'parent_id', c.parent_id, 'expense_minor', b.expense_minor, 'income_minor', b.income_minor)
        order by b.expense_minor + b.income_minor desc)
      from by_category b left join public.categories c on c.org_id = dashboard.org_id and c.id = b.key
      where b.expense_minor <> 0 or b.income_minor <> 0), '[]'),
    -- Bounded: an organization may have thousands of vendors.
    'by_vendor', coalesce((select jsonb_agg(x.v order by x.rank) from (
        select jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor,
                                  'income_minor', b.income_minor) as v,
               row_number() over (order by b.expense_minor desc, b.income_minor desc, b.key) as rank
        from by_vendor b left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key
        order by rank limit 100) x), '[]'),
    'vendor_count', (select count(*) from by_vendor),
    'top_vendors', coalesce((select jsonb_agg(x.v order by x.rank) from (
        select jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor) as v,
               row_number() over (order by b.expense_minor desc, b.key) as rank
        from by_vendor b left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key
        where b.expense_minor > 0
        order by rank limit 10) x), '[]'),
    'budgets', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', b.id, 'name', b.name, 'budget_minor', b.budget_minor, 'actual_minor', b.actual_minor,
        'remaining_minor', b.budget_minor - b.actual_minor) order by b.name) from budgets b), '[]'),
    'budget_total_minor', (select coalesce(sum(b.budget_minor), 0) from budgets b),
    'budget_actual_minor', (select coalesce(sum(b.actual_minor), 0) from budgets b)
  ) into result
  from totals t;
  return result;
end;
$$;

create function public.dashboard(org_id uuid, from_date date, to_date date)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.dashboard(org_id, from_date, to_date);
$$;
comment on function public.dashboard is
  'Whole months from from_date''s month to to_date''s, in the base currency: income, expenses, difference, fixed (linked to a contract) against variable, by category, by vendor (top 100), top 10 vendors, budget against actual.';
grant execute on function private.dashboard(uuid, date, date) to authenticated;
grant execute on function public.dashboard(uuid, date, date) to authenticated;
