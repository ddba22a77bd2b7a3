create function private.prepare_warranty()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  derived date;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  if new.warranty_months is not null then
    if new.warranty_months not between 1 and 600 then
      raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID', detail = 'warranty_months: between 1 and 600.';
    end if;
    derived := (new.purchased_on + make_interval(months => new.warranty_months))::date;
    if new.ends_on <> derived and (tg_op = 'INSERT' or new.ends_on is distinct from old.ends_on) then
      raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID',
        detail = format('%s months from %s end on %s, not %s: give warranty_months or ends_on (set the other to null).',
                        new.warranty_months, new.purchased_on, derived, new.ends_on);
    end if;
    new.ends_on := derived;
  elsif new.ends_on is null then
    raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID', detail = 'Give warranty_months or ends_on.';
  elsif new.ends_on < new.purchased_on then
    raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID',
      detail = format('The warranty cannot end (%s) before the purchase (%s).', new.ends_on, new.purchased_on);
  end if;

  new.vendor_id := private.named_vendor(new.org_id, new.vendor_id, new.seller,
                                        case when tg_op = 'UPDATE' then old.vendor_id end,
                                        case when tg_op = 'UPDATE' then old.seller end);
  return new;
end;
$$;
