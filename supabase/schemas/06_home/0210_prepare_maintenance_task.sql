create function private.prepare_maintenance_task()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if num_nonnulls(new.interval_months, new.interval_days) > 1
     or new.interval_months not between 1 and 120 or new.interval_days not between 1 and 3660 then
    raise sqlstate 'PT400' using message = 'MAINTENANCE_INTERVAL_INVALID',
      detail = 'Give interval_months (1 to 120) or interval_days (1 to 3660), or neither for a one-off task.';
  end if;
  if tg_op = 'INSERT' and new.starts_on is null and new.last_done_on is null then
    new.starts_on := private.org_today(new.org_id);
  end if;
  return new;
end;
$$;
