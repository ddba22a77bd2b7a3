-- Read-only mode covers the tenant tables that are not records too: tagging a transaction is a
-- write to the organization's data like any other. (Split parts change only through
-- set_transaction_splits(), which updates the transaction and so meets the record check.)
-- Touches: transaction_tags.

create function private.require_good_standing_for_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_good_standing(case when tg_op = 'DELETE' then old.org_id else new.org_id end);
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create trigger require_good_standing before insert or delete on public.transaction_tags
  for each row execute function private.require_good_standing_for_row();
