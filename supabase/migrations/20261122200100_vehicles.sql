-- Vehicles and what happens to them: fuel, charging, service, repairs, tyres, tax, insurance,
-- inspection, parking, tolls and leasing, each with a date, an odometer reading, a cost (in
-- its currency and in the base currency) and litres or kWh; vehicle_stats() sums them up.
-- Touches: vehicles, vehicle_events.

create type public.vehicle_kind as enum ('car', 'motorcycle', 'van', 'camper', 'other');
create type public.vehicle_fuel as enum (
  'petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'gas', 'ethanol', 'hydrogen', 'other'
);
create type public.vehicle_event_kind as enum (
  'fuel', 'charging', 'service', 'repair', 'tyres', 'tax', 'insurance', 'inspection', 'parking', 'toll', 'leasing', 'other'
);

create table public.vehicles (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.vehicle_kind not null default 'car',
  -- As written on the plate; matched without spaces and dashes, in upper case.
  registration text check (char_length(btrim(registration)) between 1 and 20),
  make text not null check (char_length(btrim(make)) between 1 and 60),
  model text check (char_length(model) <= 60),
  model_year smallint check (model_year between 1886 and 2100),
  fuel public.vehicle_fuel not null,
  -- What people call it ("the red one"); the app shows make and model without it.
  name text check (char_length(name) <= 80),
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

-- The vehicle must be live; readings never go backwards in time: an event's odometer is at
-- least that of every earlier day and at most that of every later day (same-day events are in
-- any order). A typo would otherwise poison distance, cost per km and consumption until found,
-- so it is refused at once, naming the reading it contradicts. Then the base amount.
create function private.prepare_vehicle_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  clash record;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  if new.deleted_at is not null then
    return new; -- moving to the trash
  end if;
  -- One writer per vehicle at a time, so two new readings cannot contradict each other unseen.
  perform from public.vehicles v
  where v.org_id = new.org_id and v.id = new.vehicle_id and v.deleted_at is null
  for no key update;
  if not found and (tg_op = 'INSERT' or new.vehicle_id is distinct from old.vehicle_id) then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No vehicle %s in this organization.', new.vehicle_id);
  end if;

  if new.odometer_km is not null
     and (tg_op = 'INSERT' or old.deleted_at is not null
          or (new.vehicle_id, new.occurred_on, new.odometer_km) is distinct from (old.vehicle_id, old.occurred_on, old.odometer_km)) then
    select e.reference, e.occurred_on, e.odometer_km into clash
    from public.vehicle_events e
    where e.org_id = new.org_id and e.vehicle_id = new.vehicle_id and e.deleted_at is null and e.odometer_km is not null
      and e.id <> new.id and e.occurred_on < new.occurred_on
    order by e.occurred_on desc, e.odometer_km desc
    limit 1;
    if clash.odometer_km > new.odometer_km then
      raise sqlstate 'PT400' using message = 'ODOMETER_INVALID',
        detail = format('%s km on %s is less than %s km on %s (%s).', new.odometer_km, new.occurred_on,
                        clash.odometer_km, clash.occurred_on, clash.reference);
    end if;
    select e.reference, e.occurred_on, e.odometer_km into clash
    from public.vehicle_events e
    where e.org_id = new.org_id and e.vehicle_id = new.vehicle_id and e.deleted_at is null and e.odometer_km is not null
      and e.id <> new.id and e.occurred_on > new.occurred_on
    order by e.occurred_on, e.odometer_km
    limit 1;
    if clash.odometer_km < new.odometer_km then
      raise sqlstate 'PT400' using message = 'ODOMETER_INVALID',
        detail = format('%s km on %s is more than %s km on %s (%s).', new.odometer_km, new.occurred_on,
                        clash.odometer_km, clash.occurred_on, clash.reference);
    end if;
  end if;

  new.currency := upper(new.currency);
  select b.fx_rate, b.base_minor into new.fx_rate, new.base_amount_minor
  from private.to_base(new.org_id, new.amount_minor, new.currency, new.occurred_on, new.fx_rate,
                       case when tg_op = 'UPDATE' then old.currency end, case when tg_op = 'UPDATE' then old.occurred_on end,
                       case when tg_op = 'UPDATE' then old.fx_rate end) b;
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused event uses up no reference.
create trigger prepare_vehicle_event before insert or update on public.vehicle_events
  for each row execute function private.prepare_vehicle_event();

-- Statistics -----------------------------------------------------------------------------------

-- Consumption uses the full-tank method: between the first and the last fill-up with an
-- odometer reading in the period, the car burnt what was tanked after the first one (the first
-- fill-up only tops up what was used before the period). Exact when the first and last fill-ups
-- fill the tank (or charge to the same level); fill-ups in between may be partial. Events without
-- a reading count towards costs but not consumption. Charging is computed alike, in kWh.
create function private.consumption(org_id uuid, vehicle_id uuid, kind public.vehicle_event_kind, from_date date, to_date date)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with fills as (
    select e.odometer_km, coalesce(e.litres, e.kwh) as quantity,
           row_number() over (order by e.odometer_km, e.occurred_on, e.reference) as n
    from public.vehicle_events e
    where e.org_id = consumption.org_id and e.vehicle_id = consumption.vehicle_id and e.kind = consumption.kind
      and e.deleted_at is null and e.occurred_on between from_date and to_date
      and e.odometer_km is not null and coalesce(e.litres, e.kwh) is not null
  ), span as (
    select max(odometer_km) - min(odometer_km) as distance,
           coalesce(sum(quantity) filter (where n > 1), 0) as used,
           (select coalesce(sum(coalesce(e.litres, e.kwh)), 0) from public.vehicle_events e
            where e.org_id = consumption.org_id and e.vehicle_id = consumption.vehicle_id and e.kind = consumption.kind
              and e.deleted_at is null and e.occurred_on between from_date and to_date) as total
    from fills
  )
  select jsonb_build_object(
    case kind when 'fuel' then 'litres' else 'kwh' end, total,
    'distance_km', nullif(distance, 0),
    'per_100km', case when distance > 0 then round(used * 100 / distance, 2) end
  )
  from span;
$$;
grant execute on function private.consumption(uuid, uuid, public.vehicle_event_kind, date, date) to authenticated;

-- Reads as the caller: row-level security decides which vehicle and events it sees.
create function public.vehicle_stats(vehicle_id uuid, from_date date default null, to_date date default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  vehicle public.vehicles;
  base_currency text;
  period_end date;
  period_start date;
  total bigint;
  event_count integer;
  distance integer;
  by_kind jsonb;
  by_month jsonb;
  latest integer;
begin
  select * into vehicle from public.vehicles v where v.id = vehicle_stats.vehicle_id;
  if vehicle.id is null then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No vehicle %s that you may see.', vehicle_stats.vehicle_id);
  end if;
  select o.base_currency into base_currency from public.organizations o where o.id = vehicle.org_id;
  period_end := coalesce(to_date, private.org_today(vehicle.org_id));
  period_start := coalesce(from_date, (date_trunc('month', period_end) - interval '11 months')::date);
  if period_start > period_end or period_end - period_start > 3660 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'from_date..to_date: in order, at most ten years apart';
  end if;

  -- One pass over the period's events, by month and kind; the totals, by kind and by month
  -- (every month of the period, also those without costs, for charts) are sums of it.
  with per as (
    select date_trunc('month', e.occurred_on) as month, e.kind, sum(e.base_amount_minor) as cost, count(*) as events,
           min(e.odometer_km) as low, max(e.odometer_km) as high
    from public.vehicle_events e
    where e.org_id = vehicle.org_id and e.vehicle_id = vehicle.id and e.deleted_at is null
      and e.occurred_on between period_start and period_end
    group by 1, 2
  )
  select
    coalesce((select sum(p.cost) from per p), 0),
    coalesce((select sum(p.events) from per p), 0),
    (select max(p.high) - min(p.low) from per p),
    (select coalesce(jsonb_agg(jsonb_build_object('kind', k.kind, 'cost_minor', k.cost, 'events', k.events)
                               order by k.cost desc, k.kind), '[]')
     from (select p.kind, sum(p.cost) as cost, sum(p.events) as events from per p group by p.kind) k),
    (select jsonb_agg(jsonb_build_object(
              'month', to_char(m.month, 'YYYY-MM'),
              'cost_minor', coalesce(c.cost, 0),
              'by_kind', coalesce(c.by_kind, '{}')
            ) order by m.month)
     from generate_series(date_trunc('month', period_start), date_trunc('month', period_end), interval '1 month') m (month)
     left join (select p.month, sum(p.cost) as cost, jsonb_object_agg(p.kind, p.cost) as by_kind from per p group by p.month) c
       on c.month = m.month)
  into total, event_count, distance, by_kind, by_month;

  select e.odometer_km into latest
  from public.vehicle_events e
  where e.org_id = vehicle.org_id and e.vehicle_id = vehicle.id and e.deleted_at is null and e.odometer_km is not null
  order by e.occurred_on desc, e.odometer_km desc
  limit 1;

  return jsonb_build_object(
    'vehicle_id', vehicle.id,
    'currency', base_currency,
    'from_date', period_start,
    'to_date', period_end,
    'events', event_count,
    'total_cost_minor', total,
    'by_kind', by_kind,
    'by_month', by_month,
    'odometer_km', latest,
    'distance_km', nullif(distance, 0),
    -- Minor units of the base currency per km, to two decimals: the period's costs over the
    -- distance between its first and last odometer readings.
    'cost_per_km_minor', case when distance > 0 then round(total::numeric / distance, 2) end,
    'fuel', private.consumption(vehicle.org_id, vehicle.id, 'fuel', period_start, period_end),
    'charging', private.consumption(vehicle.org_id, vehicle.id, 'charging', period_start, period_end)
  );
end;
$$;
comment on function public.vehicle_stats is
  'A vehicle''s costs in the base currency by kind and by month, distance, cost per km and consumption per 100 km (full-tank method) for a period (default: the last 12 months).';
grant execute on function public.vehicle_stats(uuid, date, date) to authenticated;
