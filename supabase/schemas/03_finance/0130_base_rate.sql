create or replace function private.base_rate(org_id uuid, currency text, base_currency text, on_date date)
returns numeric
language plpgsql
stable
set search_path = ''
as $$
begin
  if currency = base_currency then
    return 1;
  end if;
  return (
    select r.rate from public.exchange_rates r
    where r.org_id = base_rate.org_id and r.currency = base_rate.currency
      and r.rate_date between on_date - 7 and on_date and r.deleted_at is null
    order by r.rate_date desc
    limit 1
  );
end;
$$;

grant execute on function private.base_rate(uuid, text, text, date) to authenticated, service_role;
