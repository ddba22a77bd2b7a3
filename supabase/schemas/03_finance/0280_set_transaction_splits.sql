create or replace function private.set_transaction_splits(transaction_id uuid, parts jsonb, amount_minor bigint)
returns public.transactions
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.transactions;
  part record;
  n integer := 0;
  total bigint := 0;
begin
  select * into t from public.transactions x
  where x.id = set_transaction_splits.transaction_id and x.deleted_at is null
    and x.org_id = any (private.org_ids_with_role('viewer'))
  for update;
  if t.id is null then
    raise sqlstate 'PT404' using message = 'TRANSACTION_NOT_FOUND',
      detail = format('No live transaction %s in your organizations.', transaction_id);
  end if;
  perform private.require_org_role(t.org_id, 'member');
  if parts is null or jsonb_typeof(parts) <> 'array' or jsonb_array_length(parts) = 1
     or jsonb_array_length(parts) > 100 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'parts: an array of 2 to 100 {category_id, amount_minor, note}, or [] to stop splitting';
  end if;
  if t.kind = 'transfer' and jsonb_array_length(parts) > 0 then
    raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A transfer has no categories to split.';
  end if;
  for part in
    select p.category_id, p.amount_minor, p.note, c.kind
    from jsonb_to_recordset(parts) as p (category_id uuid, amount_minor bigint, note text)
    left join public.categories c on c.org_id = t.org_id and c.id = p.category_id and c.deleted_at is null
  loop
    if part.amount_minor is null or part.amount_minor <= 0 or part.category_id is null then
      raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
        detail = 'parts: each needs a category_id and a positive amount_minor';
    end if;
    if part.kind is null or part.kind::text <> t.kind::text then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = format('Category %s is not a live %s category of this organization.', part.category_id, t.kind);
    end if;
    total := total + part.amount_minor;
  end loop;
  if jsonb_array_length(parts) > 0 and total <> coalesce(set_transaction_splits.amount_minor, t.amount_minor) then
    raise sqlstate 'PT409' using message = 'SPLIT_SUM_MISMATCH',
      detail = format('The parts sum to %s; the transaction is %s.', total, coalesce(set_transaction_splits.amount_minor, t.amount_minor));
  end if;

  -- Out with the old lines, change parts and whole together, in with the new lines.
  perform private.add_to_totals(t.org_id, private.transaction_lines(t, -1));
  perform set_config('westwallet.internal_operation', 'splits', true);
  delete from public.transaction_splits s where s.transaction_id = t.id;
  insert into public.transaction_splits (org_id, transaction_id, position, category_id, amount_minor, note)
  select t.org_id, t.id, p.position, (p.part ->> 'category_id')::uuid, (p.part ->> 'amount_minor')::bigint,
         nullif(btrim(p.part ->> 'note'), '')
  from jsonb_array_elements(parts) with ordinality as p (part, position);
  update public.transactions x
  set is_split = jsonb_array_length(parts) > 0,
      category_id = null,
      amount_minor = coalesce(set_transaction_splits.amount_minor, x.amount_minor)
  where x.id = t.id
  returning * into t;
  perform set_config('westwallet.internal_operation', '', true);
  perform private.add_to_totals(t.org_id, private.transaction_lines(t, 1));
  return t;
end;
$$;

grant execute on function private.set_transaction_splits(uuid, jsonb, bigint) to authenticated;

create function public.set_transaction_splits(transaction_id uuid, parts jsonb, amount_minor bigint default null)
returns public.transactions
language sql
set search_path = ''
as $$
  select * from private.set_transaction_splits(transaction_id, parts, amount_minor);
$$;

comment on function public.set_transaction_splits is
  'Splits a transaction across categories: parts [{category_id, amount_minor, note}] summing to its amount (or to amount_minor, which then becomes its amount); [] ends the split.';

grant execute on function public.set_transaction_splits(uuid, jsonb, bigint) to authenticated;
