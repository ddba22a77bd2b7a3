-- The end of a commit: the batch is committed, with what it wrote, and where the statement gave
-- balances, the account's balance on those days minus the statement's (0: they agree; anything
-- else is reported, never adjusted away).
create function private.finish_import(batch_id uuid)
returns public.import_batches
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches;
begin
  select * into batch from public.import_batches b where b.id = finish_import.batch_id for update;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status = 'committed' then
    return batch;
  end if;
  update public.import_batches b
  set status = 'committed',
      committed_at = now(),
      committed_by = auth.uid(),
      imported_count = (select count(*) from public.import_rows r
                        where r.org_id = b.org_id and r.batch_id = b.id and r.transaction_id is not null),
      -- The opening balance is the balance before the statement's first entry. Its own date says
      -- less: MT940's :60F: carries the previous statement's day, CAMT's OPBD often the first
      -- day itself; so the day before the first entry, or before opening_on without entries.
      opening_difference_minor = case when b.opening_balance_minor is not null and b.opening_on is not null then
        private.account_balance_on(b.org_id, b.account_id, coalesce(
          (select min(r.booked_on) from public.import_rows r where r.org_id = b.org_id and r.batch_id = b.id),
          b.opening_on) - 1) - b.opening_balance_minor end,
      closing_difference_minor = case when b.closing_balance_minor is not null and b.closing_on is not null then
        private.account_balance_on(b.org_id, b.account_id, b.closing_on) - b.closing_balance_minor end
  where b.id = batch.id
  returning * into batch;
  return batch;
end;
$$;

comment on function private.finish_import(uuid) is
  'Marks a committing batch committed with its count and the account''s balance differences from the statement''s opening and closing balances. For the import.commit job.';

grant execute on function private.finish_import(uuid) to authenticated;
