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
