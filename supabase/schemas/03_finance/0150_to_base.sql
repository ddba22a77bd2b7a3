-- An amount in the organization's base currency, the way every money-carrying record converts
-- (transactions, vehicle events, maintenance logs): at the rate the client gave, else at the rate
-- of the date, looked up again when the currency or date changes and the rate does not; no rate
-- fails with FX_RATE_MISSING. `old_*` are the row's values before an update (null on insert).
create function private.to_base(
  org_id uuid,
  amount_minor bigint,
  currency text,
  on_date date,
  given_rate numeric,
  old_currency text,
  old_date date,
  old_rate numeric,
  out base_currency text,
  out fx_rate numeric,
  out base_minor bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  select o.base_currency into base_currency from public.organizations o where o.id = to_base.org_id;
  fx_rate := given_rate;
  if currency = base_currency then
    fx_rate := 1;
  elsif given_rate is null
        or (given_rate is not distinct from old_rate and (currency, on_date) is distinct from (old_currency, old_date)) then
    fx_rate := private.base_rate(org_id, currency, base_currency, on_date);
    if fx_rate is null then
      raise sqlstate 'PT422' using message = 'FX_RATE_MISSING',
        detail = format('No %s rate for %s or the 7 days before; add one to exchange_rates or give fx_rate.', currency, on_date);
    end if;
  end if;
  base_minor := private.convert_minor(amount_minor, fx_rate, currency, base_currency);
end;
$$;
