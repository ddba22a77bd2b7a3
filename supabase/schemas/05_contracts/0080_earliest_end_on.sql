-- The earliest day a contract can end when notice is given on `notice_on`: the end of the
-- binding period if its notice deadline has not passed; for a contract that renews by terms, the
-- end of the first renewal term whose deadline has not passed; for one that runs on without
-- terms, the notice day plus the notice period (never before the binding period ends). A contract
-- that does not renew ends with its binding period whatever happens.
create function private.earliest_end_on(
  binding_ends_on date,
  auto_renews boolean,
  renewal_months integer,
  notice_period integer,
  unit public.notice_period_unit,
  notice_on date
)
returns date
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  rolling_end date := private.shift_by_period(notice_on, notice_period, unit);
  terms integer;
  term_end date;
begin
  if notice_on is null then
    return null;
  end if;
  if binding_ends_on is null then
    return rolling_end;
  end if;
  if not auto_renews or private.shift_by_period(binding_ends_on, -notice_period, unit) >= notice_on then
    return binding_ends_on;
  end if;
  if renewal_months is null then
    return greatest(rolling_end, binding_ends_on);
  end if;
  -- Skip the terms that ended before notice_on's month, then step to the first deadline ahead.
  terms := greatest(1, ((extract(year from notice_on) - extract(year from binding_ends_on)) * 12
                        + extract(month from notice_on) - extract(month from binding_ends_on))::integer / renewal_months);
  loop
    term_end := private.add_months_keeping_month_end(binding_ends_on, terms * renewal_months);
    exit when private.shift_by_period(term_end, -notice_period, unit) >= notice_on;
    terms := terms + 1;
  end loop;
  return term_end;
end;
$$;

grant execute on function private.earliest_end_on(date, boolean, integer, integer, public.notice_period_unit, date) to authenticated, service_role;
