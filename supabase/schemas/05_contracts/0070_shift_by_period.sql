-- The day `period` (in `unit`) after `d`, or before it for a negative period.
create function private.shift_by_period(d date, period integer, unit public.notice_period_unit)
returns date
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case unit
    when 'days' then d + period
    when 'weeks' then d + 7 * period
    else private.add_months_keeping_month_end(d, period)
  end;
$$;

grant execute on function private.shift_by_period(date, integer, public.notice_period_unit) to authenticated, service_role;
