alter table public.transactions
  add constraint transactions_vehicle_id_fkey
    foreign key (org_id, vehicle_id) references public.vehicles (org_id, id) on delete set null (vehicle_id),
  add constraint transactions_property_id_fkey
    foreign key (org_id, property_id) references public.properties (org_id, id) on delete set null (property_id);
