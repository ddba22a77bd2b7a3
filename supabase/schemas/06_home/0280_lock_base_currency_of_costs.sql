create function private.lock_base_currency_of_costs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.base_currency <> old.base_currency
     and (exists (select from public.vehicle_events e where e.org_id = new.id)
          or exists (select from public.maintenance_logs l where l.org_id = new.id and l.cost_minor is not null)) then
    raise sqlstate 'PT409' using message = 'CURRENCY_IN_USE',
      detail = 'The base currency cannot change once vehicle events or maintenance costs are recorded in it.';
  end if;
  return new;
end;
$$;
