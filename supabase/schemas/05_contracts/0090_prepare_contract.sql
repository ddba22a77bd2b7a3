create function private.prepare_contract()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  today date;
  category_kind public.category_kind;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  today := private.org_today(new.org_id);
  new.currency := upper(new.currency);

  -- The schedule.
  if (new.frequency = 'every_n_months') <> (new.interval_months is not null) then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID',
      detail = 'interval_months (1 to 120) is given for frequency every_n_months, and only for it.';
  end if;
  new.first_payment_on := coalesce(new.first_payment_on, new.starts_on);
  if new.binding_ends_on < new.starts_on then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID',
      detail = 'binding_ends_on cannot be before starts_on.';
  end if;

  if new.category_id is not null then
    select c.kind into category_kind from public.categories c where c.org_id = new.org_id and c.id = new.category_id;
    if category_kind <> 'expense' then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A contract needs an expense category.';
    end if;
  end if;

  -- The status and its dates.
  if new.status = 'active' then
    -- Back to active (notice withdrawn): the notice and end dates go, unless the same update sets them.
    if tg_op = 'UPDATE' and old.status <> 'active'
       and new.notice_given_on is not distinct from old.notice_given_on and new.ends_on is not distinct from old.ends_on then
      new.notice_given_on := null;
      new.ends_on := null;
    elsif new.notice_given_on is not null or new.ends_on is not null then
      raise sqlstate 'PT400' using message = 'CONTRACT_STATUS_INVALID',
        detail = 'An active contract has no notice_given_on or ends_on: give notice (give_notice), or set a fixed term with binding_ends_on and auto_renews false.';
    end if;
  elsif new.status = 'notice_given' then
    new.notice_given_on := coalesce(new.notice_given_on, today);
    new.ends_on := coalesce(new.ends_on, private.earliest_end_on(
      new.binding_ends_on, new.auto_renews, new.renewal_months, new.notice_period, new.notice_period_unit, new.notice_given_on));
  else
    new.ends_on := coalesce(new.ends_on, today);
  end if;
  -- A cancelled contract may never have started (cancelled before its start, within the cooling-off period).
  if new.status <> 'cancelled' and new.ends_on < new.starts_on then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID', detail = 'ends_on cannot be before starts_on.';
  end if;
  return new;
end;
$$;
