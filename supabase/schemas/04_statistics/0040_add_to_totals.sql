-- Every writer of the totals (the triggers on transactions and their parts, set_transaction_splits)
-- calls this; an insert now writes one small row instead of updating four rows of the totals.
create or replace function private.add_to_totals(org_id uuid, lines private.total_line[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if cardinality(lines) > 0 then
    insert into private.pending_totals (org_id, lines) values (add_to_totals.org_id, lines);
  end if;
end;
$$;
