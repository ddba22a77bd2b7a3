-- What the insight calculations (packages/shared/src/insights) read, in one answer built from the
-- monthly totals, so its cost follows the organization's categories, vendors, contracts and
-- accounts, not its transactions: complete months of history (from the first month with any
-- totals, at most `history_months`), each category's and the top vendors' monthly sums, the
-- contracts that ran in the window with their schedules and latest linked payments, the accounts'
-- balances and monthly nets, and the expenses since the first day of the last complete month.
-- Amounts in the base currency (contracts and accounts at as_of's rate, or null when none).
create or replace function private.insight_inputs(org_id uuid, as_of date, history_months integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  none constant uuid := '00000000-0000-0000-0000-000000000000';
  base text;
  first_month date;
  last_month date;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if history_months is null or history_months not between 1 and 60 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'history_months: between 1 and 60';
  end if;
  as_of := coalesce(as_of, private.org_today(org_id));
  if not private.calendar_day_in_range(as_of) then
    raise sqlstate 'PT400' using message = 'DATE_OUT_OF_RANGE', detail = 'as_of';
  end if;
  select o.base_currency into base from public.organizations o where o.id = insight_inputs.org_id;
  last_month := (date_trunc('month', as_of) - interval '1 month')::date;
  -- From the first month with any totals: leading empty months would drag the forecast's level down.
  select min(m.month)
  into first_month
  from private.live_totals m
  where m.org_id = insight_inputs.org_id and m.dimension = 'c'
    and m.month >= (date_trunc('month', as_of) - make_interval(months => history_months))::date
    and m.month <= last_month;
  first_month := coalesce(first_month, (date_trunc('month', as_of))::date);

  with months as (
    select g.month::date as month, g.no::integer as no
    from generate_series(first_month, last_month, interval '1 month') with ordinality as g (month, no)
  ),
  totals as (
    select m.dimension, m.key, m.month, sum(m.expense_minor)::bigint as expense_minor,
           sum(m.income_minor)::bigint as income_minor, sum(m.fixed_minor)::bigint as fixed_minor,
           sum(m.net_minor)::bigint as net_minor, sum(m.entries)::bigint as entries
    from private.live_totals m
    where m.org_id = insight_inputs.org_id and m.dimension in ('c', 'v', 'a')
      and m.month between first_month and date_trunc('month', as_of)::date
    group by m.dimension, m.key, m.month
  ),
  category_keys as (
    select distinct t.key from totals t
    where t.dimension = 'c' and t.month <= last_month and (t.expense_minor <> 0 or t.income_minor <> 0)
  ),
  categories as (
    select k.key, c.name, c.kind,
           jsonb_agg(coalesce(t.expense_minor, 0) order by g.no) as expense_minor,
           jsonb_agg(coalesce(t.income_minor, 0) order by g.no) as income_minor,
           jsonb_agg(coalesce(t.fixed_minor, 0) order by g.no) as fixed_minor,
           jsonb_agg(coalesce(t.entries, 0) order by g.no) as entries
    from category_keys k
    cross join months g
    left join totals t on t.dimension = 'c' and t.key = k.key and t.month = g.month
    left join public.categories c on c.org_id = insight_inputs.org_id and c.id = k.key
    group by k.key, c.name, c.kind
  ),
  top_vendors as (
    select t.key, sum(t.expense_minor) as spent from totals t
    where t.dimension = 'v' and t.key <> none and t.month <= last_month
    group by t.key having sum(t.expense_minor) > 0
    order by spent desc, t.key limit 200
  ),
  vendors as (
    select k.key, v.name, jsonb_agg(coalesce(t.expense_minor, 0) order by g.no) as expense_minor
    from top_vendors k
    cross join months g
    left join totals t on t.dimension = 'v' and t.key = k.key and t.month = g.month
    join public.vendors v on v.org_id = insight_inputs.org_id and v.id = k.key
    group by k.key, v.name
  ),
  accounts as (
    select a.id, a.name, a.kind, a.currency, private.base_rate(a.org_id, a.currency, base, as_of) as rate,
           a.opening_balance_minor + coalesce((select sum(m.net_minor) from private.live_totals m
             where m.org_id = a.org_id and m.dimension = 'a' and m.key = a.id), 0)::bigint as balance_minor
    from public.accounts a
    where a.org_id = insight_inputs.org_id and a.deleted_at is null and not a.closed
  ),
  contracts as (
    select c.*, (private.contract_dates(c, as_of)).effective_ends_on,
           private.base_rate(c.org_id, c.currency, base, as_of) as rate
    from public.contracts c
    where c.org_id = insight_inputs.org_id and c.deleted_at is null and c.starts_on <= as_of + 366
  )
  select jsonb_build_object(
    'as_of', as_of,
    'currency', base,
    'months', coalesce((select jsonb_agg(to_char(g.month, 'YYYY-MM') order by g.no) from months g), '[]'),
    'categories', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', nullif(c.key, none), 'name', c.name, 'kind', c.kind,
        'expense_minor', c.expense_minor, 'income_minor', c.income_minor,
        'fixed_minor', c.fixed_minor, 'entries', c.entries) order by c.key) from categories c), '[]'),
    'vendors', coalesce((select jsonb_agg(jsonb_build_object(
        'vendor_id', v.key, 'name', v.name, 'expense_minor', v.expense_minor) order by v.key) from vendors v), '[]'),
    'contracts', coalesce((select jsonb_agg(jsonb_build_object(
        'contract_id', c.id, 'name', c.name, 'category_id', c.category_id, 'vendor_id', c.vendor_id,
        'amount_minor', c.amount_minor, 'currency', c.currency,
        'amount_base_minor', case when c.rate is not null then private.convert_minor(c.amount_minor, c.rate, c.currency, base) end,
        'frequency', c.frequency, 'interval_months', c.interval_months,
        'anchor_on', coalesce(c.first_payment_on, c.starts_on), 'starts_on', c.starts_on,
        'ends_on', c.effective_ends_on,
        'payments', coalesce((
          select jsonb_agg(jsonb_build_object('transaction_id', p.id, 'booked_on', p.booked_on,
                   'amount_minor', p.amount_minor, 'currency', p.currency) order by p.booked_on desc, p.reference desc)
          from (select t.id, t.booked_on, t.amount_minor, t.currency, t.reference
                from public.transactions t
                where t.org_id = c.org_id and t.contract_id = c.id and t.deleted_at is null and t.kind = 'expense'
                  and t.booked_on between (as_of - interval '9 months')::date and as_of
                order by t.booked_on desc, t.reference desc limit 40) p), '[]'))
        order by c.id)
      from contracts c
      where c.effective_ends_on is null or c.effective_ends_on >= first_month), '[]'),
    'accounts', coalesce((select jsonb_agg(jsonb_build_object(
        'account_id', a.id, 'name', a.name, 'kind', a.kind,
        'balance_minor', case when a.rate is not null then private.convert_minor(a.balance_minor, a.rate, a.currency, base) end,
        'net_minor', (select jsonb_agg(case when a.rate is null then 0
                        else private.convert_minor(coalesce(t.net_minor, 0), a.rate, a.currency, base) end order by g.no)
                      from months g left join totals t on t.dimension = 'a' and t.key = a.id and t.month = g.month),
        'net_current_minor', case when a.rate is null then 0 else private.convert_minor(coalesce((
            select t.net_minor from totals t
            where t.dimension = 'a' and t.key = a.id and t.month = date_trunc('month', as_of)::date), 0),
          a.rate, a.currency, base) end)
        order by a.id) from accounts a), '[]'),
    'recent', coalesce((select jsonb_agg(jsonb_build_object(
        'transaction_id', r.id, 'booked_on', r.booked_on, 'amount_minor', r.amount_minor, 'currency', r.currency,
        'base_amount_minor', r.base_amount_minor, 'account_id', r.account_id, 'vendor_id', r.vendor_id,
        'counterparty', r.counterparty, 'category_id', r.category_id, 'contract_id', r.contract_id)
        order by r.booked_on desc, r.reference desc)
      from (select t.* from public.transactions t
            where t.org_id = insight_inputs.org_id and t.deleted_at is null and t.kind = 'expense'
              and t.booked_on between last_month and as_of
            order by t.booked_on desc, t.reference desc limit 5000) r), '[]')
  ) into result;
  return result;
end;
$$;

grant execute on function private.insight_inputs(uuid, date, integer) to authenticated;

create function public.insight_inputs(org_id uuid, as_of date default null, history_months integer default 36)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.insight_inputs(org_id, as_of, history_months);
$$;

comment on function public.insight_inputs is
  'What the insights (POST /functions/v1/insights) compute from, for any member: history months, each category''s and the top 200 vendors'' monthly sums, contracts with schedules and recent payments, accounts with balances and monthly nets, the expenses since the last complete month began (at most 5,000). See docs/insights.md.';

grant execute on function public.insight_inputs(uuid, date, integer) to authenticated;
