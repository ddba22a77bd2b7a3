-- The commit job's writes, as the member who asked (the job sets their role and claims, as the
-- Data API would): the member must still be a writer and the organization in good standing, and
-- each transaction is prepared as a typed one is (vendor from the counterparty, its default
-- category, base amount, reference). One insert per step: the triggers that can run once per
-- statement do (audit, broadcast, totals, tags: private.record_inserts).
create function private.commit_import_rows(batch_id uuid, max_rows integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.commit_import_rows(uuid, integer) is
  'Writes up to max_rows of a committing batch''s rows marked import as transactions of the batch; answers how many (0: none left). For the import.commit job.';

grant execute on function private.commit_import_rows(uuid, integer) to authenticated;
