create function private.amount_in_range(amount bigint)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if amount < -1000000000000000 or amount > 1000000000000000 then
    raise sqlstate 'PT400' using message = 'AMOUNT_OUT_OF_RANGE',
      detail = format('%s minor units is beyond what money can be: at most 10^15 either way.', amount);
  end if;
  return true;
end;
$$;

comment on function private.amount_in_range(bigint) is
  'True for a money amount within ±10^15 minor units (or null); raises AMOUNT_OUT_OF_RANGE otherwise. Used by check constraints.';

grant execute on function private.amount_in_range(bigint) to authenticated, service_role;
