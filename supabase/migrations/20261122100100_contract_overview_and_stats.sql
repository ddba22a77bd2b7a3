-- What a browser shows about contracts: each contract with its derived dates (next payment,
-- last day to give notice, when it ends), its cost per month and year in its own and the base
-- currency, and its payments (contract_overview); statistics for an organization
-- (contract_stats); and giving notice (give_notice).
-- Touches: contracts (give_notice), view contract_overview.

-- Derived values (pure) ----------------------------------------------------------------------

-- A contract's dates as of `as_of`:
-- - current_status: its status, but `ended` once the day it ends has passed;
-- - effective_ends_on: the day it ends (after notice, ended or cancelled; or the end of a fixed
--   term that does not renew); null while it runs on;
-- - next_payment_on: the next payment on or after as_of, none after it ends;
-- - earliest_end_on (active only): the day it would end if notice were given on as_of;
-- - notice_deadline_on (active, renewing by itself only): the last day to give notice so that it
--   ends at earliest_end_on instead of renewing. A contract that runs on without terms can be
--   ended any day and has none.
create function private.contract_dates(
  c public.contracts,
  as_of date,
  out current_status public.contract_status,
  out effective_ends_on date,
  out next_payment_on date,
  out earliest_end_on date,
  out notice_deadline_on date
)
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  effective_ends_on := case when c.status <> 'active' then c.ends_on when not c.auto_renews then c.binding_ends_on end;
  current_status := case
    when c.status in ('active', 'notice_given') and effective_ends_on < as_of then 'ended'
    else c.status
  end;
  if current_status not in ('active', 'notice_given') then
    return;
  end if;
  next_payment_on := private.next_payment_on(c.first_payment_on, c.frequency, c.interval_months, as_of);
  if next_payment_on > effective_ends_on then
    next_payment_on := null;
  end if;
  if c.status = 'active' then
    earliest_end_on := private.earliest_end_on(
      c.binding_ends_on, c.auto_renews, c.renewal_months, c.notice_period, c.notice_period_unit, as_of);
    if c.auto_renews and c.binding_ends_on is not null
       and (c.renewal_months is not null
            or private.shift_by_period(c.binding_ends_on, -c.notice_period, c.notice_period_unit) >= as_of) then
      notice_deadline_on := private.shift_by_period(earliest_end_on, -c.notice_period, c.notice_period_unit);
    end if;
  end if;
end;
$$;

-- The cost of a contract per month and per year, in minor units of its currency. A year is 52
-- weekly payments (the 53rd week every five or six years is left out) or 12 months; each figure
-- is the exact fraction rounded once, half away from zero: quarterly 100.00 is 33.33 a month and
-- 400.00 a year; every 5 months 100.00 is 20.00 a month and 240.00 a year.
create function private.contract_cost(
  amount_minor bigint,
  frequency public.contract_frequency,
  interval_months integer,
  out monthly_minor bigint,
  out yearly_minor bigint
)
language sql
immutable
parallel safe
set search_path = ''
as $$
  select
    case when frequency = 'weekly' then round(amount_minor * 52::numeric / 12)
         else round(amount_minor::numeric / private.frequency_months(frequency, interval_months)) end::bigint,
    case when frequency = 'weekly' then amount_minor * 52
         else round(amount_minor * 12::numeric / private.frequency_months(frequency, interval_months)) end::bigint;
$$;

grant execute on function
  private.contract_dates(public.contracts, date),
  private.contract_cost(bigint, public.contract_frequency, integer)
to authenticated, service_role;

-- The overview -------------------------------------------------------------------------------

create view public.contract_overview with (security_invoker = true) as
select
  c.id, c.org_id, c.reference, c.name, c.vendor_id, c.category_id, c.account_id, c.contract_number,
  c.amount_minor, c.currency, c.frequency, c.interval_months, c.payment_method,
  c.starts_on, c.first_payment_on, c.binding_ends_on, c.notice_period, c.notice_period_unit,
  c.auto_renews, c.renewal_months, c.status, c.notice_given_on, c.ends_on, c.notes,
  c.created_at, c.updated_at,
  t.as_of,
  d.current_status, d.effective_ends_on, d.next_payment_on, d.earliest_end_on, d.notice_deadline_on,
  k.monthly_minor, k.yearly_minor,
  o.base_currency,
  private.convert_minor(k.monthly_minor, r.rate, c.currency, o.base_currency) as monthly_base_minor,
  private.convert_minor(k.yearly_minor, r.rate, c.currency, o.base_currency) as yearly_base_minor,
  p.payment_count, p.last_paid_on, p.paid_base_minor
from public.contracts c
join public.organizations o on o.id = c.org_id
cross join lateral (select (now() at time zone o.time_zone)::date as as_of) t
cross join lateral private.contract_dates(c, t.as_of) d
cross join lateral private.contract_cost(c.amount_minor, c.frequency, c.interval_months) k
cross join lateral (select private.base_rate(c.org_id, c.currency, o.base_currency, t.as_of) as rate) r
-- Payments: live linked transactions, net of refunds (income from the vendor).
cross join lateral (
  select count(*)::integer as payment_count, max(x.booked_on) as last_paid_on,
         coalesce(sum(case when x.kind = 'income' then -x.base_amount_minor else x.base_amount_minor end), 0)::bigint
           as paid_base_minor
  from public.transactions x
  where x.org_id = c.org_id and x.contract_id = c.id and x.deleted_at is null
) p
where c.deleted_at is null;

comment on view public.contract_overview is
  'Live contracts with their derived dates as of today in the organization''s time zone, cost per month and year (also in the base currency; null without an exchange rate) and payments.';

grant select on public.contract_overview to authenticated;

-- Statistics ---------------------------------------------------------------------------------

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

-- Giving notice ------------------------------------------------------------------------------

create function private.give_notice(contract_id uuid, notice_on date, ends_on date)
returns public.contracts
language plpgsql
security definer
set search_path = ''
as $$
declare
  found public.contracts;
begin
  select * into found from public.contracts c where c.id = give_notice.contract_id and c.deleted_at is null for update;
  if found.id is null or not private.has_org_role(found.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'CONTRACT_NOT_FOUND', detail = format('No contract %s in your organizations.', contract_id);
  end if;
  perform private.require_org_role(found.org_id, 'member');
  if found.status <> 'active' then
    raise sqlstate 'PT409' using message = 'CONTRACT_NOT_ACTIVE',
      detail = format('Notice is given on an active contract; this one is %s.', found.status);
  end if;
  -- prepare_contract fills in today and the earliest possible end for what is not given.
  update public.contracts c
  set status = 'notice_given', notice_given_on = give_notice.notice_on, ends_on = give_notice.ends_on
  where c.id = found.id
  returning * into found;
  return found;
end;
$$;

create function public.give_notice(contract_id uuid, notice_on date default null, ends_on date default null)
returns public.contracts
language sql
set search_path = ''
as $$
  select * from private.give_notice(contract_id, notice_on, ends_on);
$$;
comment on function public.give_notice is
  'Members give notice on an active contract: status notice_given, notice_given_on (default today) and ends_on (default the earliest day it can end after that notice); returns the contract.';

grant execute on function
  private.contract_stats(uuid, integer, date, integer), public.contract_stats(uuid, integer, date, integer),
  private.give_notice(uuid, date, date), public.give_notice(uuid, date, date)
to authenticated;
