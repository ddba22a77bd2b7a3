-- Transactions name the vehicle or property they concern (the columns came with transactions);
-- now that those tables exist, the keys hold them to the same organization. And the base
-- currency cannot change under base-currency amounts of vehicle events and maintenance logs,
-- as it cannot under transactions.
-- Touches: transactions (foreign keys), organizations (trigger).

alter table public.transactions
  add constraint transactions_vehicle_id_fkey
    foreign key (org_id, vehicle_id) references public.vehicles (org_id, id) on delete set null (vehicle_id),
  add constraint transactions_property_id_fkey
    foreign key (org_id, property_id) references public.properties (org_id, id) on delete set null (property_id);

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

create trigger lock_base_currency_of_costs before update of base_currency on public.organizations
  for each row execute function private.lock_base_currency_of_costs();
