create or replace function private.expense_stats(org_id uuid, year integer)
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
    from private.live_totals m
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

grant execute on function private.expense_stats(uuid, integer) to authenticated;

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

grant execute on function public.expense_stats(uuid, integer) to authenticated;
