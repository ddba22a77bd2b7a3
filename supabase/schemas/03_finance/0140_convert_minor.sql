create or replace function private.convert_minor(amount_minor bigint, rate numeric, from_currency text, to_currency text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
begin
  -- Most amounts are in the base currency already: no lookup of the minor units.
  if from_currency = to_currency then
    return round(amount_minor * rate)::bigint;
  end if;
  return (
    select round(amount_minor * rate * power(10::numeric, t.minor_units - f.minor_units))::bigint
    from public.currencies f, public.currencies t
    where f.code = from_currency and t.code = to_currency
  );
end;
$$;

grant execute on function private.convert_minor(bigint, numeric, text, text) to authenticated, service_role;
