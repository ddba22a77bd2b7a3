-- What every write of a commit checks first, as the member who asked: the batch is being
-- committed, the member may still write and the organization is in good standing, and the
-- account still keeps the currency the rows were staged in (an account without transactions
-- may have changed it since the preview). Locks the batch for share: an undo (which locks it
-- for update) waits for the write, and the next write finds the batch undone.
create function private.committing_batch(batch_id uuid)
returns public.import_batches
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches;
  refusal text;
  account_currency text;
begin
  select * into batch from public.import_batches b where b.id = committing_batch.batch_id for share;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status <> 'committing' then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('The batch is %s, not being committed.', batch.status);
  end if;
  refusal := private.write_refusal(batch.org_id);
  if refusal is not null then
    perform private.raise_write_refusal(refusal);
  end if;
  select a.currency into account_currency
  from public.accounts a where a.org_id = batch.org_id and a.id = batch.account_id;
  if account_currency is distinct from batch.currency then
    raise sqlstate 'PT400' using message = 'IMPORT_CURRENCY_MISMATCH',
      detail = format('The account is in %s now; the batch was previewed in %s.', account_currency, batch.currency);
  end if;
  return batch;
end;
$$;

comment on function private.committing_batch(uuid) is
  'The batch a commit writes into, after checking the member, the organization and the account''s currency; locked for share.';
