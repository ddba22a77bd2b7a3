-- What a finance app calls beyond plain table access: splitting a transaction, searching with
-- keyset pages, merging vendors, deleting a category in use, account balances.
-- Touches: transactions, transaction_splits, vendors, categories (and every table that refers
-- to a vendor or category through a composite foreign key).

-- Splits -------------------------------------------------------------------------------------

create function private.set_transaction_splits(transaction_id uuid, parts jsonb, amount_minor bigint)
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
  if t.kind = 'transfer' and jsonb_array_length(coalesce(parts, '[]')) > 0 then
    raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A transfer has no categories to split.';
  end if;
  if jsonb_typeof(coalesce(parts, '[]')) <> 'array' or jsonb_array_length(coalesce(parts, '[]')) = 1
     or jsonb_array_length(coalesce(parts, '[]')) > 100 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'parts: an array of 2 to 100 {category_id, amount_minor, note}, or [] to stop splitting';
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

create function public.set_transaction_splits(transaction_id uuid, parts jsonb, amount_minor bigint default null)
returns public.transactions
language sql
set search_path = ''
as $$
  select * from private.set_transaction_splits(transaction_id, parts, amount_minor);
$$;
comment on function public.set_transaction_splits is
  'Splits a transaction across categories: parts [{category_id, amount_minor, note}] summing to its amount (or to amount_minor, which then becomes its amount); [] ends the split.';
grant execute on function private.set_transaction_splits(uuid, jsonb, bigint) to authenticated;
grant execute on function public.set_transaction_splits(uuid, jsonb, bigint) to authenticated;

-- Search -------------------------------------------------------------------------------------

-- Runs with the caller's rights: row-level security decides what is found. Filters left null do
-- not apply; the query is built from those given, so each search gets the plan its filters need.
create function public.search_transactions(
  org_id uuid,
  text_query text default null,
  from_date date default null,
  to_date date default null,
  min_amount_minor bigint default null,
  max_amount_minor bigint default null,
  category_id uuid default null,
  vendor_id uuid default null,
  tag_id uuid default null,
  account_id uuid default null,
  kind public.transaction_kind default null,
  after_booked_on date default null,
  after_reference text default null,
  max_rows integer default 50
)
returns setof public.transactions
language plpgsql
stable
set search_path = ''
as $$
declare
  filters text := '';
  pattern text;
begin
  if max_rows is null or max_rows not between 1 and 500 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 500';
  end if;
  if (after_booked_on is null) <> (after_reference is null) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'after_booked_on and after_reference: give both (the last row''s booked_on and reference) or neither';
  end if;
  if nullif(btrim(text_query), '') is not null then
    -- Matches anywhere in description, counterparty or notes, or the vendor's name.
    pattern := '%' || replace(replace(replace(lower(btrim(text_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%';
    filters := filters || ' and (t.search_text like $2 or t.vendor_id in (select v.id from public.vendors v
                                 where v.org_id = $1 and v.name ilike $2 and v.deleted_at is null))';
  end if;
  if from_date is not null then filters := filters || ' and t.booked_on >= $3'; end if;
  if to_date is not null then filters := filters || ' and t.booked_on <= $4'; end if;
  if min_amount_minor is not null then filters := filters || ' and t.base_amount_minor >= $5'; end if;
  if max_amount_minor is not null then filters := filters || ' and t.base_amount_minor <= $6'; end if;
  if category_id is not null then
    -- A parent category finds its children's transactions too, split parts included.
    filters := filters || ' and (t.category_id in (select c.id from public.categories c where c.org_id = $1 and (c.id = $7 or c.parent_id = $7))
                            or (t.is_split and exists (select from public.transaction_splits s
                                 join public.categories c on c.org_id = s.org_id and c.id = s.category_id
                                 where s.transaction_id = t.id and (c.id = $7 or c.parent_id = $7))))';
  end if;
  if vendor_id is not null then filters := filters || ' and t.vendor_id = $8'; end if;
  if tag_id is not null then
    filters := filters || ' and exists (select from public.transaction_tags tt where tt.org_id = $1 and tt.transaction_id = t.id and tt.tag_id = $9)';
  end if;
  if account_id is not null then filters := filters || ' and (t.account_id = $10 or t.to_account_id = $10)'; end if;
  if kind is not null then filters := filters || ' and t.kind = $11'; end if;
  if after_booked_on is not null then filters := filters || ' and (t.booked_on, t.reference) < ($12, $13)'; end if;
  return query execute
    'select t.* from public.transactions t where t.org_id = $1 and t.deleted_at is null' || filters ||
    ' order by t.booked_on desc, t.reference desc limit $14'
    using org_id, pattern, from_date, to_date, min_amount_minor, max_amount_minor, category_id, vendor_id, tag_id,
          account_id, kind, after_booked_on, after_reference, max_rows;
end;
$$;
comment on function public.search_transactions is
  'Transactions newest first, filtered; amounts compare in the base currency. Next page: after_booked_on and after_reference of the last row.';
grant execute on function public.search_transactions to authenticated;

-- Moving references ---------------------------------------------------------------------------

-- Every (table, column) that refers to `target` through a composite foreign key (org_id, column):
-- merging and deleting move them all, including tables added by later modules.
create function private.tenant_references(target regclass)
returns table (table_name regclass, column_name name)
language sql
stable
set search_path = ''
as $$
  select c.conrelid::regclass, a.attname
  from pg_catalog.pg_constraint c
  join pg_catalog.pg_attribute o on o.attrelid = c.conrelid and o.attnum = c.conkey[1] and o.attname = 'org_id'
  join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
  where c.contype = 'f' and c.confrelid = target and cardinality(c.conkey) = 2;
$$;

create function private.merge_vendors(source_id uuid, target_id uuid)
returns public.vendors
language plpgsql
security definer
set search_path = ''
as $$
declare
  source public.vendors;
  target public.vendors;
  ref record;
begin
  select * into source from public.vendors v where v.id = source_id and v.deleted_at is null
    and v.org_id = any (private.org_ids_with_role('viewer'));
  select * into target from public.vendors v where v.id = target_id and v.deleted_at is null
    and v.org_id = any (private.org_ids_with_role('viewer'));
  if source.id is null or target.id is null or source.id = target.id or source.org_id <> target.org_id then
    raise sqlstate 'PT400' using message = 'VENDOR_MERGE_INVALID',
      detail = 'Name two different live vendors of one of your organizations.';
  end if;
  perform private.require_org_role(source.org_id, 'member');
  for ref in select * from private.tenant_references('public.vendors') r where r.column_name <> 'merged_into_id' loop
    execute format('update %s set %I = $1 where org_id = $2 and %I = $3', ref.table_name, ref.column_name, ref.column_name)
      using target.id, source.org_id, source.id;
  end loop;
  -- Fill what the target lacks from the source; keep the source in the trash, pointing at the target.
  update public.vendors v set
    organization_number = coalesce(v.organization_number, source.organization_number),
    website = coalesce(v.website, source.website),
    default_category_id = coalesce(v.default_category_id, source.default_category_id)
  where v.id = target.id
  returning * into target;
  update public.vendors v set merged_into_id = target.id where v.id = source.id;
  delete from public.vendors v where v.id = source.id;
  return target;
end;
$$;

create function public.merge_vendors(source_id uuid, target_id uuid)
returns public.vendors
language sql
set search_path = ''
as $$
  select * from private.merge_vendors(source_id, target_id);
$$;
comment on function public.merge_vendors is
  'Merges source into target: its transactions, contracts and everything else that names it follow; the source goes to the trash.';
grant execute on function private.merge_vendors(uuid, uuid) to authenticated;
grant execute on function public.merge_vendors(uuid, uuid) to authenticated;

-- Categories in use ---------------------------------------------------------------------------

create function private.category_in_use(org_id uuid, category_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  ref record;
  used boolean;
begin
  for ref in select * from private.tenant_references('public.categories') loop
    -- Children count only while live; everything else counts in the trash too (it may come back).
    execute format('select exists (select from %s where org_id = $1 and %I = $2 %s)', ref.table_name, ref.column_name,
                   case when ref.table_name = 'public.categories'::regclass then 'and deleted_at is null' else '' end)
      into used using org_id, category_id;
    if used then
      return true;
    end if;
  end loop;
  return false;
end;
$$;

-- Deleting a category straight away works only while nothing uses it.
create function private.guard_category_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Purging and deleting the organization go ahead: nothing is left to point at it then.
  if private.internal_operation() is distinct from 'purge' and old.deleted_at is null
     and exists (select from public.organizations o where o.id = old.org_id)
     and private.category_in_use(old.org_id, old.id) then
    raise sqlstate 'PT409' using message = 'CATEGORY_IN_USE',
      detail = 'Transactions or other records use this category (or it has subcategories): delete it with delete_category(id, move_to).';
  end if;
  return old;
end;
$$;

-- Before trash_instead_of_delete (alphabetical).
create trigger guard_category_delete before delete on public.categories
  for each row execute function private.guard_category_delete();

create function private.delete_category(category_id uuid, move_to uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  doomed public.categories;
  target public.categories;
  gone uuid[];
  ref record;
begin
  select * into doomed from public.categories c where c.id = category_id and c.deleted_at is null
    and c.org_id = any (private.org_ids_with_role('viewer'));
  if doomed.id is null then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No live category %s in your organizations.', category_id);
  end if;
  perform private.require_org_role(doomed.org_id, 'member');
  -- The category and its subcategories go; whatever used them moves to `move_to`.
  select array_agg(c.id) into gone from public.categories c
  where c.org_id = doomed.org_id and (c.id = doomed.id or c.parent_id = doomed.id) and c.deleted_at is null;
  if move_to is not null then
    select * into target from public.categories c where c.org_id = doomed.org_id and c.id = move_to and c.deleted_at is null;
    if target.id is null or target.id = any (gone) or target.kind <> doomed.kind then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = 'move_to: a live category of the same kind, outside the one being deleted.';
    end if;
    for ref in select * from private.tenant_references('public.categories') r where r.table_name <> 'public.categories'::regclass loop
      execute format('update %s set %I = $1 where org_id = $2 and %I = any ($3)', ref.table_name, ref.column_name, ref.column_name)
        using target.id, doomed.org_id, gone;
    end loop;
  end if;
  -- Children first: then neither is in use by the other.
  delete from public.categories c where c.org_id = doomed.org_id and c.parent_id = doomed.id and c.deleted_at is null;
  delete from public.categories c where c.id = doomed.id;
end;
$$;

create function public.delete_category(category_id uuid, move_to uuid default null)
returns void
language sql
set search_path = ''
as $$
  select private.delete_category(category_id, move_to);
$$;
comment on function public.delete_category is
  'Moves the category (with its subcategories) to the trash; what used them (transactions, split parts, contracts, budgets aside) moves to move_to. Refused with CATEGORY_IN_USE without move_to while in use.';
grant execute on function private.delete_category(uuid, uuid) to authenticated;
grant execute on function public.delete_category(uuid, uuid) to authenticated;

-- Account balances ----------------------------------------------------------------------------

create function private.account_balances(org_id uuid)
returns table (account_id uuid, name text, kind public.account_kind, currency text, closed boolean,
               opening_balance_minor bigint, balance_minor bigint, last_month date)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  return query
  select a.id, a.name, a.kind, a.currency, a.closed, a.opening_balance_minor,
         a.opening_balance_minor + coalesce(sum(m.net_minor), 0)::bigint, max(m.month)
  from public.accounts a
  left join private.monthly_totals m on m.org_id = a.org_id and m.dimension = 'a' and m.key = a.id
  where a.org_id = account_balances.org_id and a.deleted_at is null
  group by a.id
  order by a.closed, a.kind, a.name;
end;
$$;

create function public.account_balances(org_id uuid)
returns table (account_id uuid, name text, kind public.account_kind, currency text, closed boolean,
               opening_balance_minor bigint, balance_minor bigint, last_month date)
language sql
stable
set search_path = ''
as $$
  select * from private.account_balances(org_id);
$$;
comment on function public.account_balances is
  'Each live account''s balance in its own currency: the opening balance plus its transactions (transfers in and out included).';
grant execute on function private.account_balances(uuid) to authenticated;
grant execute on function public.account_balances(uuid) to authenticated;
