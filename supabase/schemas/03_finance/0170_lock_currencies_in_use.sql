-- Amounts in the base currency and account balances would mean something else after these change.
create function private.lock_currencies_in_use()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Separate branches: each table's record has only its own fields.
  if tg_table_name = 'organizations' then
    if new.base_currency <> old.base_currency and exists (select from public.transactions t where t.org_id = new.id) then
      raise sqlstate 'PT409' using message = 'CURRENCY_IN_USE',
        detail = 'The base currency cannot change once the organization has transactions.';
    end if;
  elsif new.currency <> old.currency
        and exists (select from public.transactions t where t.org_id = new.org_id
                    and (t.account_id = new.id or t.to_account_id = new.id)) then
    raise sqlstate 'PT409' using message = 'CURRENCY_IN_USE',
      detail = 'An account''s currency cannot change once it has transactions.';
  end if;
  return new;
end;
$$;
