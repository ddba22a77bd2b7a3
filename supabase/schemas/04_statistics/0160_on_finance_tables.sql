create trigger track_transaction_totals after insert on public.transactions
  referencing new table as added_rows
  for each statement execute function private.track_transaction_inserts();

-- Compares the final rows (after prepare_transaction derived the amounts and the vendor), so an
-- edit of the description alone costs nothing here.
create trigger track_transaction_totals_update after update on public.transactions
  for each row when (
    (old.kind, old.booked_on, old.base_amount_minor, old.account_id, old.account_amount_minor, old.to_account_id,
     old.to_amount_minor, old.vendor_id, old.category_id, old.contract_id, old.is_split, old.deleted_at)
    is distinct from
    (new.kind, new.booked_on, new.base_amount_minor, new.account_id, new.account_amount_minor, new.to_account_id,
     new.to_amount_minor, new.vendor_id, new.category_id, new.contract_id, new.is_split, new.deleted_at))
  execute function private.track_transaction_totals();

-- Named to run after trash_instead_of_delete, which turns ordinary deletes into trashing.
create trigger zz_track_transaction_totals before delete on public.transactions
  for each row execute function private.track_transaction_totals();

create trigger track_split_category after update of category_id on public.transaction_splits
  for each row when (old.category_id is distinct from new.category_id)
  execute function private.track_split_category();
