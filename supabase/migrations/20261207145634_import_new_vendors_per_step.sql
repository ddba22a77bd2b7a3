-- An import step creates its new payees' vendors in one statement (add_new_vendors) before
-- writing its rows, instead of one vendor insert per new payee inside prepare_transaction.
-- Touches: private.add_new_vendors (new), private.commit_import_rows.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.add_new_vendors(org_id uuid, names text[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
#variable_conflict use_column
declare
  added integer;
begin
  insert into public.vendors (org_id, name)
  select distinct on (n.normalized) add_new_vendors.org_id, n.name
  from (select btrim(x) as name, private.normalize_vendor_name(x) as normalized from unnest(names) x) n
  where n.normalized is not null
    and not exists (select from public.vendors v
                    where v.org_id = add_new_vendors.org_id and v.normalized_name = n.normalized
                      and (v.deleted_at is null or v.merged_into_id is not null))
  order by n.normalized, n.name
  on conflict (org_id, normalized_name) where deleted_at is null do nothing;
  get diagnostics added = row_count;
  return added;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.commit_import_rows(batch_id uuid, max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  batch public.import_batches;
  written integer;
begin
  -- Shared: an undo (which locks the batch for update) waits for this write, and the next one
  -- finds the batch undone.
  select * into batch from public.import_batches b where b.id = commit_import_rows.batch_id for share;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status <> 'committing' then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('The batch is %s, not being committed.', batch.status);
  end if;
  -- The step's new payees become vendors in one statement, before the rows that name them.
  perform private.add_new_vendors(batch.org_id, array(
    select r.counterparty from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
    order by r.line
    limit max_rows));
  -- Rows in file order, each written once: a row with its transaction is done, so a step that
  -- runs again after a lost checkpoint writes nothing twice.
  with picked as (
    select r.id, gen_random_uuid() as transaction_id, r.booked_on, r.amount_minor, r.currency, r.counterparty,
           r.text, r.bank_reference
    from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
    order by r.line
    limit max_rows
    for update
  ), written_rows as (
    insert into public.transactions (id, org_id, kind, booked_on, amount_minor, currency, account_id, counterparty,
                                     description, import_batch_id, bank_reference)
    select p.transaction_id, batch.org_id,
           (case when p.amount_minor < 0 then 'expense' else 'income' end)::public.transaction_kind,
           p.booked_on, abs(p.amount_minor), p.currency, batch.account_id, p.counterparty, p.text, batch.id,
           p.bank_reference
    from picked p
    order by p.booked_on
    returning id
  )
  update public.import_rows r set transaction_id = p.transaction_id
  from picked p join written_rows w on w.id = p.transaction_id
  where r.org_id = batch.org_id and r.id = p.id;
  get diagnostics written = row_count;
  return written;
end;
$function$
;

comment on function private.add_new_vendors(pg_catalog.uuid,pg_catalog.text[]) is 'Creates, in one statement, a vendor for each name that no vendor of the organization has or had; answers how many.';

revoke all on function private.add_new_vendors(uuid,text[]) from public, anon, authenticated, service_role;
