create function private.contract_stats(org_id uuid, within_days integer, as_of date, max_rows integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org public.organizations;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if within_days is null or within_days not between 0 and 3660 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'within_days: between 0 and 3660';
  end if;
  if max_rows is null or max_rows not between 1 and 200 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 200';
  end if;
  select * into org from public.organizations o where o.id = contract_stats.org_id;
  as_of := coalesce(as_of, (now() at time zone org.time_zone)::date);

  with figures as (
    select c.id, c.reference, c.name, c.category_id, c.amount_minor, c.currency, c.starts_on, d.*, k.*,
           private.convert_minor(k.monthly_minor, r.rate, c.currency, org.base_currency) as monthly_base_minor,
           private.convert_minor(k.yearly_minor, r.rate, c.currency, org.base_currency) as yearly_base_minor
    from public.contracts c
    cross join lateral private.contract_dates(c, contract_stats.as_of) d
    cross join lateral private.contract_cost(c.amount_minor, c.frequency, c.interval_months) k
    cross join lateral (select private.base_rate(c.org_id, c.currency, org.base_currency, contract_stats.as_of) as rate) r
    where c.org_id = contract_stats.org_id and c.deleted_at is null
  ),
  -- What the organization pays for now: started, not ended.
  running as (
    select * from figures f
    where f.current_status in ('active', 'notice_given') and f.starts_on <= contract_stats.as_of
  ),
  horizon as (
    select contract_stats.as_of as first_day, contract_stats.as_of + contract_stats.within_days as last_day
  )
  select jsonb_build_object(
    'as_of', contract_stats.as_of,
    'within_days', contract_stats.within_days,
    'base_currency', org.base_currency,
    'contracts', (select count(*) from running),
    'monthly_minor', (select coalesce(sum(f.monthly_base_minor), 0) from running f),
    'yearly_minor', (select coalesce(sum(f.yearly_base_minor), 0) from running f),
    'by_category', (
      select coalesce(jsonb_agg(to_jsonb(g) order by g.monthly_minor desc, g.category_id), '[]')
      from (
        select f.category_id, cat.parent_id, count(*) as contracts,
               sum(f.monthly_base_minor) as monthly_minor, sum(f.yearly_base_minor) as yearly_minor
        from running f
        left join public.categories cat on cat.org_id = contract_stats.org_id and cat.id = f.category_id
        where f.monthly_base_minor is not null
        group by f.category_id, cat.parent_id
      ) g
    ),
    'unconverted', (
      select coalesce(jsonb_agg(to_jsonb(u) order by u.currency), '[]')
      from (
        select f.currency, count(*) as contracts, sum(f.monthly_minor) as monthly_minor, sum(f.yearly_minor) as yearly_minor
        from running f
        where f.monthly_base_minor is null
        group by f.currency
      ) u
    ),
    'ending', (
      select coalesce(jsonb_agg(to_jsonb(e) order by e.ends_on, e.reference), '[]')
      from (
        select f.id, f.reference, f.name, f.current_status as status, f.effective_ends_on as ends_on
        from figures f, horizon h
        where f.current_status in ('active', 'notice_given') and f.effective_ends_on between h.first_day and h.last_day
        order by f.effective_ends_on, f.reference
        limit contract_stats.max_rows
      ) e
    ),
    'notice_deadlines', (
      select coalesce(jsonb_agg(to_jsonb(n) order by n.notice_deadline_on, n.reference), '[]')
      from (
        select f.id, f.reference, f.name, f.notice_deadline_on, f.earliest_end_on
        from figures f, horizon h
        where f.notice_deadline_on between h.first_day and h.last_day
        order by f.notice_deadline_on, f.reference
        limit contract_stats.max_rows
      ) n
    ),
    'next_payments', (
      select coalesce(jsonb_agg(to_jsonb(p) order by p.next_payment_on, p.reference), '[]')
      from (
        select f.id, f.reference, f.name, f.next_payment_on, f.amount_minor, f.currency
        from figures f, horizon h
        where f.next_payment_on between h.first_day and h.last_day
        order by f.next_payment_on, f.reference
        limit contract_stats.max_rows
      ) p
    )
  ) into result;
  return result;
end;
$$;

grant execute on function private.contract_stats(uuid, integer, date, integer) to authenticated;

create function public.contract_stats(
  org_id uuid,
  within_days integer default 30,
  as_of date default null,
  max_rows integer default 50
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.contract_stats(org_id, within_days, as_of, max_rows);
$$;

comment on function public.contract_stats is
  'Running contracts'' cost per month and year in the base currency (in total and by category; contracts without an exchange rate apart, unconverted), and the contracts ending, reaching their notice deadline or due for payment within within_days of as_of (default today), at most max_rows each.';

grant execute on function public.contract_stats(uuid, integer, date, integer) to authenticated;
