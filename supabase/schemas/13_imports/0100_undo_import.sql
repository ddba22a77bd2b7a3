-- Undo of a committed batch (or one whose commit stopped part way), as a whole: its transactions go to the trash (restorable one by one
-- like any trashed record), in one statement, and the batch is marked undone. Importing the same
-- file again afterwards finds nothing of it and imports it anew.
create function private.undo_import(batch_id uuid)
returns public.import_batches
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches;
  trashed integer;
begin
  select * into batch from public.import_batches b where b.id = undo_import.batch_id;
  -- Another organization's batch is no different from none.
  if not found or not (batch.org_id = any (private.org_ids_with_role('viewer'))) then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  perform private.require_good_standing(batch.org_id);
  -- One undo at a time per batch, and none while the commit runs.
  select * into batch from public.import_batches b where b.id = batch.id for update;
  -- A commit that stopped half way (the member lost their role, the organization became
  -- read-only) is undone like a finished one.
  if batch.status not in ('committed', 'committing') then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('Only a committed batch can be undone; this one is %s.', batch.status);
  end if;
  -- As the trash does (private.trash_instead_of_delete), for the whole batch at once.
  perform set_config('westwallet.internal_operation', 'trash', true);
  update public.transactions t set deleted_at = now(), deleted_by = auth.uid()
  where t.org_id = batch.org_id and t.import_batch_id = batch.id and t.deleted_at is null;
  get diagnostics trashed = row_count;
  perform set_config('westwallet.internal_operation', '', true);
  update public.import_batches b set status = 'undone', undone_at = now(), undone_by = auth.uid()
  where b.id = batch.id
  returning * into batch;
  return batch;
end;
$$;

comment on function private.undo_import(uuid) is 'See public.undo_import.';

grant execute on function private.undo_import(uuid) to authenticated;

create function public.undo_import(batch_id uuid)
returns public.import_batches
language sql
set search_path = ''
as $$
  select * from private.undo_import(batch_id);
$$;

comment on function public.undo_import(uuid) is
  'Undoes a committed import batch: its transactions go to the trash and the batch is undone. Members; IMPORT_BATCH_NOT_FOUND, IMPORT_BATCH_CLOSED (not committed).';

grant execute on function public.undo_import(uuid) to authenticated;
