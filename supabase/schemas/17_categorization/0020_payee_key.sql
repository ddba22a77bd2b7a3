-- The key a transaction's payee is known by across the cascade (history, merchants, corrections):
-- the counterparty as vendors are matched, or the description when there is no counterparty.
create function private.payee_key(counterparty text, description text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select private.normalize_vendor_name(coalesce(nullif(btrim(counterparty), ''), description));
$$;

grant execute on function private.payee_key(text, text) to authenticated, service_role;
