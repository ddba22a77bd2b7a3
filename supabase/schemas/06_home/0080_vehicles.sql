create table public.vehicles (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.vehicle_kind not null default 'car',
  -- As written on the plate; matched without spaces and dashes, in upper case.
  registration text check (private.name_is_valid(registration, 20)),
  make text not null check (private.name_is_valid(make, 60)),
  model text check (char_length(model) <= 60),
  model_year smallint check (model_year between 1886 and 2100),
  fuel public.vehicle_fuel not null,
  -- What people call it ("the red one"); the app shows make and model without it.
  name text check (private.name_is_valid(name, 80)),
  vin text check (vin ~ '^[A-HJ-NPR-Z0-9]{11,17}$'),
  purchased_on date,
  purchase_price_minor bigint check (purchase_price_minor >= 0),
  currency text references public.currencies (code),
  sold_on date,
  notes text check (char_length(notes) <= 5000),
  constraint vehicles_price_currency_check check ((purchase_price_minor is null) = (currency is null))
);

comment on table public.vehicles is
  'Cars and other vehicles; their costs, odometer readings and consumption are vehicle_events (vehicle_stats() sums them).';

select private.enroll_record_table('public.vehicles');

create unique index vehicles_org_id_registration_key on public.vehicles
  (org_id, upper(regexp_replace(registration, '[\s-]', '', 'g'))) where deleted_at is null and registration is not null;

alter table public.vehicles
  add constraint vehicles_purchase_price_minor_range check (private.amount_in_range(purchase_price_minor)),
  add constraint vehicles_purchased_on_range check (private.calendar_day_in_range(purchased_on)),
  add constraint vehicles_sold_on_range check (private.calendar_day_in_range(sold_on));
