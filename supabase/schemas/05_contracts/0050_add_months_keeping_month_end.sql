-- `d` plus `months` (which may be negative). The last day of a month stays the last day
-- (2027-02-28 + 12 = 2028-02-29, 2027-02-28 - 1 = 2027-01-31): terms and notice periods end on
-- month ends when they start from one. Other days keep their number, or the month's last day
-- when the month is shorter.
create function private.add_months_keeping_month_end(d date, months integer)
returns date
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when d = (date_trunc('month', d::timestamp) + interval '1 month - 1 day')::date
      then (date_trunc('month', d::timestamp) + make_interval(months => months + 1) - interval '1 day')::date
    else (d::timestamp + make_interval(months => months))::date
  end;
$$;

grant execute on function private.add_months_keeping_month_end(date, integer) to authenticated, service_role;
