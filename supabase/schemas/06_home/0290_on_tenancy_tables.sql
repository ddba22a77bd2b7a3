create trigger lock_base_currency_of_costs before update of base_currency on public.organizations
  for each row execute function private.lock_base_currency_of_costs();
