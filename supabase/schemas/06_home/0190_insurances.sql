create table public.insurances (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.insurance_kind not null,
  name text check (private.name_is_valid(name, 120)),
  vendor_id uuid,
  -- The insurer as written on the policy; names a vendor, created on first use.
  insurer text check (char_length(insurer) <= 200),
  policy_number text check (char_length(policy_number) <= 60),
  premium_minor bigint not null check (premium_minor >= 0),
  currency text not null references public.currencies (code),
  frequency public.premium_frequency not null default 'yearly',
  -- What a year of premiums comes to, in `currency`.
  annual_premium_minor bigint generated always as (
    premium_minor * case frequency when 'monthly' then 12 when 'quarterly' then 4 when 'half_yearly' then 2 else 1 end
  ) stored,
  -- Excess paid per claim, in `currency`.
  deductible_minor bigint check (deductible_minor >= 0),
  starts_on date,
  renews_on date,
  -- Set when the policy was cancelled or ran out; it stays for the record.
  ended_on date,
  coverage_notes text check (char_length(coverage_notes) <= 5000),
  vehicle_id uuid,
  property_id uuid,
  constraint insurances_subject_check check (num_nonnulls(vehicle_id, property_id) <= 1),
  foreign key (org_id, vendor_id) references public.vendors (org_id, id) on delete set null (vendor_id),
  foreign key (org_id, vehicle_id) references public.vehicles (org_id, id) on delete set null (vehicle_id),
  foreign key (org_id, property_id) references public.properties (org_id, id) on delete set null (property_id)
);

comment on table public.insurances is
  'Insurance policies: kind, insurer (a vendor), policy number, premium and frequency, renewal date, coverage, and the vehicle or property insured.';

select private.enroll_record_table('public.insurances');

create index insurances_org_id_renews_on_idx on public.insurances (org_id, renews_on, id) where deleted_at is null;

create index insurances_org_id_vendor_idx on public.insurances (org_id, vendor_id) where vendor_id is not null;

create index insurances_org_id_vehicle_idx on public.insurances (org_id, vehicle_id) where vehicle_id is not null;

create index insurances_org_id_property_idx on public.insurances (org_id, property_id) where property_id is not null;

-- Runs before stamp_record (alphabetical), so a refused insurance uses up no reference.
create trigger prepare_insurance before insert or update on public.insurances
  for each row execute function private.prepare_insurance();

alter table public.insurances
  add constraint insurances_premium_minor_range check (private.amount_in_range(premium_minor)),
  add constraint insurances_annual_premium_minor_range check (private.amount_in_range(annual_premium_minor)),
  add constraint insurances_deductible_minor_range check (private.amount_in_range(deductible_minor)),
  add constraint insurances_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint insurances_renews_on_range check (private.calendar_day_in_range(renews_on)),
  add constraint insurances_ended_on_range check (private.calendar_day_in_range(ended_on));
