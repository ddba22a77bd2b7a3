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

grant execute on function private.contract_cost(bigint, public.contract_frequency, integer) to authenticated, service_role;
