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
