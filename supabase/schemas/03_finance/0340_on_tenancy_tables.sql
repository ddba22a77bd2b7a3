-- After manage_reference_sequence (alphabetical order), which creates the sequence references need.
create trigger outfit_with_default_categories after insert on public.organizations
  for each row execute function private.add_default_categories();

create trigger lock_currencies_in_use before update of base_currency on public.organizations
  for each row execute function private.lock_currencies_in_use();
