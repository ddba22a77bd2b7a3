-- The commit job adds the vendors of the whole batch before its first rows, in one statement, so
-- the calls that write the rows (two at once) never race to create the same vendor: one would
-- wait for the other's transaction, and two such waits crossed are a deadlock.
create function private.add_import_vendors(batch_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches := private.committing_batch(batch_id);
begin
  return private.add_new_vendors(batch.org_id, array(
    select r.counterparty from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null));
end;
$$;

comment on function private.add_import_vendors(uuid) is
  'Creates the vendors named by a committing batch''s open rows that the organization lacks; answers how many. For the import.commit job.';

grant execute on function private.add_import_vendors(uuid) to authenticated;
