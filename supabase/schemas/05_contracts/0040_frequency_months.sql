-- Months in one payment period; null for weekly (and for every_n_months without its months).
create function private.frequency_months(frequency public.contract_frequency, interval_months integer)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case frequency
    when 'monthly' then 1 when 'quarterly' then 3 when 'half_yearly' then 6 when 'yearly' then 12
    when 'every_n_months' then interval_months
  end;
$$;

grant execute on function private.frequency_months(public.contract_frequency, integer) to authenticated, service_role;
