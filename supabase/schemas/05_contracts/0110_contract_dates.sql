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

grant execute on function private.contract_dates(public.contracts, date) to authenticated, service_role;
