-- After prepare_transaction (alphabetical order), which has found the vendor by then.
create trigger suggest_category before insert on public.transactions
  for each row execute function private.categorize_transaction();

create trigger tag_categorized_transaction after insert on public.transactions
  referencing new table as added_rows
  for each statement execute function private.tag_categorized_transactions();

create trigger remember_category_choice after update of category_id on public.transactions
  for each row when (old.category_id is distinct from new.category_id)
  execute function private.remember_category_choice();
