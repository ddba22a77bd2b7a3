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
