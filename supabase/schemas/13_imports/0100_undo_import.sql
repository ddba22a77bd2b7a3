-- Undo of a committed batch (or one whose commit stopped part way), as a whole. A batch can hold
-- a hundred thousand transactions, more than one statement may trash within hosted's 8 s
-- statement timeout, so undo_import() only checks, marks the batch undoing and queues the
-- import.undo job; the job trashes the transactions in bounded chunks (undo_import_rows) and
-- the last chunk marks the batch undone. Importing the same file again afterwards finds nothing
-- of it and imports it anew.
create function private.undo_import(batch_id uuid)
returns public.jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches;
begin
  select * into batch from public.import_batches b where b.id = undo_import.batch_id;
  -- Another organization's batch is no different from none.
  if not found or not (batch.org_id = any (private.org_ids_with_role('viewer'))) then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  perform private.require_good_standing(batch.org_id);
  -- One undo per batch, and none while a commit step writes (it holds the batch shared).
  select * into batch from public.import_batches b where b.id = batch.id for update;
  -- A commit that stopped half way (the member lost their role, the organization became
  -- read-only) is undone like a finished one. Asked again while it runs, the same job answers.
  if batch.status not in ('committed', 'committing', 'undoing') then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('Only a committed batch can be undone; this one is %s.', batch.status);
  end if;
  update public.import_batches b set status = 'undoing' where b.id = batch.id and b.status <> 'undoing';
  return private.submit_job(batch.org_id, 'import.undo', jsonb_build_object('batch_id', batch.id),
                            'import.undo:' || batch.id, 'interactive', auth.uid());
end;
$$;

comment on function private.undo_import(uuid) is 'See public.undo_import.';

grant execute on function private.undo_import(uuid) to authenticated;

create function public.undo_import(batch_id uuid)
returns public.jobs
language sql
set search_path = ''
as $$
  select * from private.undo_import(batch_id);
$$;

comment on function public.undo_import(uuid) is
  'Undoes a committed import batch: marks it undoing and queues the import.undo job (answered), which trashes its transactions and marks it undone. Members; IMPORT_BATCH_NOT_FOUND, IMPORT_BATCH_CLOSED (not committed).';

grant execute on function public.undo_import(uuid) to authenticated;

-- One chunk of the undo job, as the member who asked: up to max_rows of the batch's live
-- transactions go to the trash, as private.trash_instead_of_delete would send each (restorable
-- one by one), in one statement. The chunk that finds fewer left marks the batch undone, in the
-- same transaction, so a step run again after a lost checkpoint trashes nothing twice.
create function private.undo_import_rows(batch_id uuid, max_rows integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches;
  trashed integer;
begin
  select * into batch from public.import_batches b where b.id = undo_import_rows.batch_id for update;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status = 'undone' then
    return 0;
  end if;
  if batch.status <> 'undoing' then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('The batch is %s, not being undone.', batch.status);
  end if;
  perform set_config('westwallet.internal_operation', 'trash', true);
  update public.transactions t set deleted_at = now(), deleted_by = auth.uid()
  where t.org_id = batch.org_id
    and t.id in (select x.id from public.transactions x
                 where x.org_id = batch.org_id and x.import_batch_id = batch.id and x.deleted_at is null
                 limit max_rows);
  get diagnostics trashed = row_count;
  perform set_config('westwallet.internal_operation', '', true);
  if trashed < max_rows then
    update public.import_batches b set status = 'undone', undone_at = now(), undone_by = auth.uid()
    where b.id = batch.id;
  end if;
  return trashed;
end;
$$;

comment on function private.undo_import_rows(uuid, integer) is
  'Trashes up to max_rows of an undoing batch''s live transactions; answers how many, and marks the batch undone when fewer were left. For the import.undo job.';

grant execute on function private.undo_import_rows(uuid, integer) to authenticated;
