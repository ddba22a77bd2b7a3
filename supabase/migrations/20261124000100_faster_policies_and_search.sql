-- Found by the benchmark (bench/, issue 6): changes that keep requests at index speed with a
-- million transactions in one organization.
-- Touches: private.org_ids_with_role, private.has_org_role, public.search_transactions (now over
-- private.search_transactions), private.dashboard, the planner's statistics of vendors and
-- categories.

-- Every policy calls org_ids_with_role once per table a statement reads. As SQL functions with
-- SET options they were planned again on every call (three times for a list with category and
-- vendor names); in PL/pgSQL the plan is kept for the session. The list's row-level security
-- cost fell from 30 % to 13 % of the read.
create or replace function private.org_ids_with_role(min_role public.org_role)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(m.org_id), '{}')
    from public.memberships m
    where m.user_id = (select auth.uid()) and m.role >= min_role
  );
end;
$$;

create or replace function private.has_org_role(org_id uuid, min_role public.org_role)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select from public.memberships m
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
  );
end;
$$;

create function private.search_transactions(
  org_id uuid,
  text_query text default null,
  from_date date default null,
  to_date date default null,
  min_amount_minor bigint default null,
  max_amount_minor bigint default null,
  category_id uuid default null,
  vendor_id uuid default null,
  tag_id uuid default null,
  account_id uuid default null,
  kind public.transaction_kind default null,
  after_booked_on date default null,
  after_reference text default null,
  max_rows integer default 50
)
returns setof public.transactions
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  filters text := '';
  pattern text;
  vendor_ids uuid[];
begin
  -- What row-level security let a viewer see before: nothing of another organization.
  if not private.has_org_role(org_id, 'viewer') then
    return;
  end if;
  if max_rows is null or max_rows not between 1 and 500 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 500';
  end if;
  if (after_booked_on is null) <> (after_reference is null) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'after_booked_on and after_reference: give both (the last row''s booked_on and reference) or neither';
  end if;
  if nullif(btrim(text_query), '') is not null then
    -- Matches anywhere in description, counterparty or notes, or the vendor's name.
    pattern := '%' || replace(replace(replace(lower(btrim(text_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%';
    -- The vendors first, as a list: `vendor_id = any (list)` and the text's trigram index
    -- combine in one bitmap scan, where a subquery in the OR made Postgres read every row of
    -- the organization (250 ms for a rare word among a million).
    select array_agg(v.id) into vendor_ids
    from public.vendors v
    where v.org_id = search_transactions.org_id and v.name ilike pattern and v.deleted_at is null;
    filters := filters || case when vendor_ids is null then ' and t.search_text like $2'
                               else ' and (t.search_text like $2 or t.vendor_id = any ($15))' end;
  end if;
  if from_date is not null then filters := filters || ' and t.booked_on >= $3'; end if;
  if to_date is not null then filters := filters || ' and t.booked_on <= $4'; end if;
  if min_amount_minor is not null then filters := filters || ' and t.base_amount_minor >= $5'; end if;
  if max_amount_minor is not null then filters := filters || ' and t.base_amount_minor <= $6'; end if;
  if category_id is not null then
    -- A parent category finds its children's transactions too, split parts included.
    filters := filters || ' and (t.category_id in (select c.id from public.categories c where c.org_id = $1 and (c.id = $7 or c.parent_id = $7))
                            or (t.is_split and exists (select from public.transaction_splits s
                                 join public.categories c on c.org_id = s.org_id and c.id = s.category_id
                                 where s.transaction_id = t.id and (c.id = $7 or c.parent_id = $7))))';
  end if;
  if vendor_id is not null then filters := filters || ' and t.vendor_id = $8'; end if;
  if tag_id is not null then
    filters := filters || ' and exists (select from public.transaction_tags tt where tt.org_id = $1 and tt.transaction_id = t.id and tt.tag_id = $9)';
  end if;
  if account_id is not null then filters := filters || ' and (t.account_id = $10 or t.to_account_id = $10)'; end if;
  if kind is not null then filters := filters || ' and t.kind = $11'; end if;
  if after_booked_on is not null then filters := filters || ' and (t.booked_on, t.reference) < ($12, $13)'; end if;
  return query execute
    'select t.* from public.transactions t where t.org_id = $1 and t.deleted_at is null' || filters ||
    ' order by t.booked_on desc, t.reference desc limit $14'
    using org_id, pattern, from_date, to_date, min_amount_minor, max_amount_minor, category_id, vendor_id, tag_id,
          account_id, kind, after_booked_on, after_reference, max_rows, vendor_ids;
end;
$$;

-- A generic plan (PostgREST prepares its statements) estimates an organization's share of a
-- table as 1 / (number of organizations), and the policies' `org_id = any (...)` cuts that
-- again a hundredfold. For a list embedding vendor names in a company with 2,000 vendors that
-- meant "one vendor": Postgres read all 2,000 and compared each with every row (4.7 ms instead
-- of 0.6 ms). Vendors and categories are small per organization and looked up by key, so
-- planning for many rows per organization costs a small organization nothing.
alter table public.vendors alter column org_id set (n_distinct = 20);
alter table public.categories alter column org_id set (n_distinct = 20);
analyze public.vendors, public.categories;

-- The search runs as its owner, after the membership check above, with the organization as a
-- plain `org_id = $1`: under row-level security Postgres multiplied in the policy's
-- `org_id = any (...)` as if it kept one row in a hundred, and with a million rows in the
-- organization chose to read all of them (300 ms) over the text's trigram index or the
-- newest-first index (2-5 ms). Everything it reads is filtered by the organization: the
-- categories, split parts, tags and vendors its filters use, as the policies would.
create or replace function public.search_transactions(
  org_id uuid,
  text_query text default null,
  from_date date default null,
  to_date date default null,
  min_amount_minor bigint default null,
  max_amount_minor bigint default null,
  category_id uuid default null,
  vendor_id uuid default null,
  tag_id uuid default null,
  account_id uuid default null,
  kind public.transaction_kind default null,
  after_booked_on date default null,
  after_reference text default null,
  max_rows integer default 50
)
returns setof public.transactions
language sql
stable
set search_path = ''
as $$
  select * from private.search_transactions(org_id, text_query, from_date, to_date, min_amount_minor, max_amount_minor,
                                            category_id, vendor_id, tag_id, account_id, kind, after_booked_on,
                                            after_reference, max_rows);
$$;
grant execute on function private.search_transactions to authenticated;

-- dashboard named every vendor of the period (2,000 in the benchmark's company) before keeping
-- the top 100 and top 10; now it names only those.
create or replace function private.dashboard(org_id uuid, from_date date, to_date date)
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
    -- Bounded: an organization may have thousands of vendors. Ranked first, named after: only
    -- the 100 (and 10) shown are looked up.
    'by_vendor', coalesce((select jsonb_agg(jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor,
                                                               'income_minor', b.income_minor)
                                            order by b.expense_minor desc, b.income_minor desc, b.key)
        from (select * from by_vendor order by expense_minor desc, income_minor desc, key limit 100) b
        left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key), '[]'),
    'vendor_count', (select count(*) from by_vendor),
    'top_vendors', coalesce((select jsonb_agg(jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor)
                                              order by b.expense_minor desc, b.key)
        from (select * from by_vendor where expense_minor > 0 order by expense_minor desc, key limit 10) b
        left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key), '[]'),
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
