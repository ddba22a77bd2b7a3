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
