-- Insurances: kind, insurer (a vendor), policy number, premium and how often it is paid, the
-- renewal date, what it covers, and the vehicle or property it insures.
-- renewing_insurances() lists those renewing soon.
-- Touches: insurances.

create type public.insurance_kind as enum (
  'home', 'car', 'life', 'accident', 'pet', 'travel', 'health', 'income', 'liability', 'other'
);
create type public.premium_frequency as enum ('monthly', 'quarterly', 'half_yearly', 'yearly');

create table public.insurances (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.insurance_kind not null,
  name text check (char_length(name) <= 120),
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

create function private.prepare_insurance()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  new.currency := upper(new.currency);
  new.vendor_id := private.named_vendor(new.org_id, new.vendor_id, new.insurer,
                                        case when tg_op = 'UPDATE' then old.vendor_id end,
                                        case when tg_op = 'UPDATE' then old.insurer end);
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused insurance uses up no reference.
create trigger prepare_insurance before insert or update on public.insurances
  for each row execute function private.prepare_insurance();

-- Reads as the caller: row-level security decides what it sees.
create function public.renewing_insurances(
  org_id uuid,
  within_days integer default 30,
  max_rows integer default 50,
  after_renews_on date default null,
  after_id uuid default null
)
returns setof public.insurances
language plpgsql
stable
set search_path = ''
as $$
declare
  today date;
begin
  today := private.upcoming_window(org_id, within_days, max_rows);
  return query
    select i.* from public.insurances i
    where i.org_id = renewing_insurances.org_id and i.deleted_at is null
      and i.renews_on between today and today + within_days
      and (i.ended_on is null or i.ended_on > today)
      and (after_renews_on is null or (i.renews_on, i.id) > (after_renews_on, after_id))
    order by i.renews_on, i.id
    limit max_rows;
end;
$$;
comment on function public.renewing_insurances is
  'Policies in force that renew from today (the organization''s) to within_days ahead, soonest first; pass the last row''s renews_on and id for the next page.';
grant execute on function public.renewing_insurances(uuid, integer, integer, date, uuid) to authenticated;
