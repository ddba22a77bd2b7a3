create function private.calendar_day_in_range(day date)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if day < date '1900-01-01' or day > date '2200-12-31' then
    raise sqlstate 'PT400' using message = 'DATE_OUT_OF_RANGE',
      detail = format('%s is not a calendar day between 1900-01-01 and 2200-12-31.', day);
  end if;
  return true;
end;
$$;

comment on function private.calendar_day_in_range(date) is
  'True for a calendar day from 1900-01-01 to 2200-12-31 (or null); raises DATE_OUT_OF_RANGE otherwise (infinity, BC, year 10000).';

grant execute on function private.calendar_day_in_range(date) to authenticated, service_role;
