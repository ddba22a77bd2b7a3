-- Properties: the homes and other property an organization owns or rents. Vehicles, insurances,
-- maintenance tasks and transactions point at them. Also the helper the home modules' lists
-- share: the window of a "due within N days" list.
-- Touches: properties.

create type public.property_kind as enum ('house', 'apartment', 'cabin', 'plot', 'other');
create type public.property_tenure as enum ('owned', 'rented');

create table public.properties (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.property_kind not null,
  tenure public.property_tenure not null default 'owned',
  name text not null check (char_length(btrim(name)) between 1 and 120),
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

-- Shared by the home modules ------------------------------------------------------------------

-- The start of a "due within N days" list: the caller must be a member, the window and page
-- size bounded; returns today in the organization's time zone.
create function private.upcoming_window(org_id uuid, within_days integer, max_rows integer)
returns date
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  if within_days is null or within_days not between 0 and 3660 or max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'within_days: 0 to 3660; max_rows: 1 to 1000';
  end if;
  return private.org_today(org_id);
end;
$$;
grant execute on function private.upcoming_window(uuid, integer, integer) to authenticated, service_role;
