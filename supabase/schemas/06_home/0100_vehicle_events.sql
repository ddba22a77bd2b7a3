create table public.vehicle_events (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  vehicle_id uuid not null,
  kind public.vehicle_event_kind not null,
  occurred_on date not null,
  odometer_km integer check (odometer_km between 0 and 10000000),
  -- What it cost, in minor units of `currency`; 0 for a reading or a free inspection.
  amount_minor bigint not null default 0 check (amount_minor >= 0),
  currency text not null references public.currencies (code),
  -- Base-currency units per unit of `currency`, as on transactions: given, or the rate of the date.
  fx_rate numeric(20, 10) check (fx_rate > 0),
  -- Set by the database; the default only makes it optional for clients.
  base_amount_minor bigint not null default 0,
  -- Quantities, not money: litres tanked, kWh charged.
  litres numeric(10, 3) check (litres > 0),
  kwh numeric(10, 3) check (kwh > 0),
  -- The transaction that paid it, if it is recorded there too. Vehicle statistics count events,
  -- finance statistics count transactions: the link never makes a cost count twice in either.
  transaction_id uuid,
  notes text check (char_length(notes) <= 2000),
  constraint vehicle_events_litres_kind_check check (litres is null or kind = 'fuel'),
  constraint vehicle_events_kwh_kind_check check (kwh is null or kind = 'charging'),
  foreign key (org_id, vehicle_id) references public.vehicles (org_id, id) on delete cascade,
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete set null (transaction_id)
);

comment on table public.vehicle_events is
  'Fuel, charging, service, repairs, tyres, tax, insurance, inspection, parking, tolls, leasing: date, odometer, cost (also in the base currency), litres or kWh.';

select private.enroll_record_table('public.vehicle_events');

-- A vehicle's log, newest first, paged by (occurred_on, reference) as transactions are; not
-- partial, so purging a vehicle finds its events by it too.
create index vehicle_events_org_id_vehicle_idx on public.vehicle_events (org_id, vehicle_id, occurred_on desc, reference desc);

-- The neighbouring readings the odometer check compares with.
create index vehicle_events_org_id_odometer_idx on public.vehicle_events (org_id, vehicle_id, occurred_on, odometer_km)
  where deleted_at is null and odometer_km is not null;

create index vehicle_events_org_id_transaction_idx on public.vehicle_events (org_id, transaction_id)
  where transaction_id is not null;

-- Runs before stamp_record (alphabetical), so a refused event uses up no reference.
create trigger prepare_vehicle_event before insert or update on public.vehicle_events
  for each row execute function private.prepare_vehicle_event();

alter table public.vehicle_events
  add constraint vehicle_events_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint vehicle_events_base_amount_minor_range check (private.amount_in_range(base_amount_minor)),
  add constraint vehicle_events_occurred_on_range check (private.calendar_day_in_range(occurred_on));
