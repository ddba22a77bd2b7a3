create trigger require_good_standing before insert or delete on public.transaction_tags
  for each row execute function private.require_good_standing_for_row();
