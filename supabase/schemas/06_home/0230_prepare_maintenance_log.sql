create function private.prepare_maintenance_log()
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
  if (tg_op = 'INSERT' or new.task_id is distinct from old.task_id)
     and not exists (select from public.maintenance_tasks t
                     where t.org_id = new.org_id and t.id = new.task_id and t.deleted_at is null) then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No maintenance task %s in this organization.', new.task_id);
  end if;
  if new.cost_minor is null then
    new.fx_rate := null;
    new.base_cost_minor := null;
    return new;
  end if;
  new.currency := upper(new.currency);
  select b.fx_rate, b.base_minor into new.fx_rate, new.base_cost_minor
  from private.to_base(new.org_id, new.cost_minor, new.currency, new.done_on, new.fx_rate,
                       case when tg_op = 'UPDATE' then old.currency end, case when tg_op = 'UPDATE' then old.done_on end,
                       case when tg_op = 'UPDATE' then old.fx_rate end) b;
  return new;
end;
$$;
