-- The first payment on or after `on_date` of a schedule paying on `anchor` and every period
-- after it. Month-based periods count from the anchor each time, so a contract paid on the 31st
-- pays on the 30th in April, the 28th or 29th in February, and the 31st again in May.
create function private.next_payment_on(
  anchor date,
  frequency public.contract_frequency,
  interval_months integer,
  on_date date
)
returns date
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  months integer := private.frequency_months(frequency, interval_months);
  periods integer;
  candidate date;
begin
  if anchor is null or on_date is null or (frequency <> 'weekly' and months is null) then
    return null;
  end if;
  if on_date <= anchor then
    return anchor;
  end if;
  if frequency = 'weekly' then
    return anchor + ((on_date - anchor + 6) / 7) * 7;
  end if;
  -- Whole periods between the anchor's month and on_date's month: that payment falls in or
  -- before on_date's month, the next one after it.
  periods := ((extract(year from on_date) - extract(year from anchor)) * 12
              + extract(month from on_date) - extract(month from anchor))::integer / months;
  candidate := (anchor::timestamp + make_interval(months => periods * months))::date;
  if candidate < on_date then
    candidate := (anchor::timestamp + make_interval(months => (periods + 1) * months))::date;
  end if;
  return candidate;
end;
$$;

grant execute on function private.next_payment_on(date, public.contract_frequency, integer, date) to authenticated, service_role;
