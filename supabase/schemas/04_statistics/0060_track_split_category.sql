-- A part moved to another category (delete_category()): its share moves with it.
create function private.track_split_category()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.transactions;
  line private.total_line;
begin
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  select * into t from public.transactions x where x.org_id = new.org_id and x.id = new.transaction_id;
  select * into line from unnest(private.transaction_lines(t, 1)) l where l.dimension = 'c' and l.part = new.position;
  if line.month is null then
    return null; -- the transaction is in the trash
  end if;
  perform private.add_to_totals(new.org_id, array[
    row(line.month, 'c', old.category_id, line.part, -line.expense_minor, -line.income_minor, -line.fixed_minor, 0, -1),
    row(line.month, 'c', new.category_id, line.part, line.expense_minor, line.income_minor, line.fixed_minor, 0, 1)
  ]::private.total_line[]);
  return null;
end;
$$;
