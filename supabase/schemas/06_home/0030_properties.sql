create table public.properties (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.property_kind not null,
  tenure public.property_tenure not null default 'owned',
  name text not null check (private.name_is_valid(name, 120)),
  address text check (char_length(address) <= 300),
  postal_code text check (char_length(postal_code) <= 20),
  city text check (char_length(city) <= 100),
  -- ISO 3166-1 alpha-2.
  country text check (country ~ '^[A-Z]{2}$'),
  purchased_on date,
  purchase_price_minor bigint check (purchase_price_minor >= 0),
  currency text references public.currencies (code),
  notes text check (char_length(notes) <= 5000),
  constraint properties_price_currency_check check ((purchase_price_minor is null) = (currency is null))
);

comment on table public.properties is
  'Homes and other property the organization owns or rents (house, apartment, cabin, plot); insurances, maintenance tasks and transactions link to them.';

select private.enroll_record_table('public.properties');

create unique index properties_org_id_name_key on public.properties (org_id, lower(name)) where deleted_at is null;

alter table public.properties
  add constraint properties_purchase_price_minor_range check (private.amount_in_range(purchase_price_minor)),
  add constraint properties_purchased_on_range check (private.calendar_day_in_range(purchased_on));
