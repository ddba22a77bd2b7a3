-- Undo becomes a job: undo_import() marks the batch undoing and queues import.undo, which trashes
-- its transactions in bounded chunks (undo_import_rows) and marks it undone; one statement for a
-- large batch exceeded hosted's 8 s statement timeout.
-- Touches: public.import_batch_status ('undoing'), public/private.undo_import, private.undo_import_rows.

-- Added at the end of the list, in place: the batches keep their statuses.
alter type "public"."import_batch_status" add value if not exists 'undoing';

-- undo_import now answers the job it queues (its return type changes: dropped and created).
drop function if exists "public"."undo_import"(uuid);

drop function if exists "private"."undo_import"(uuid);

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.undo_import_rows(batch_id uuid, max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.undo_import(batch_id uuid)
 RETURNS jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION public.undo_import(batch_id uuid)
 RETURNS jobs
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select * from private.undo_import(batch_id);
$function$
;

comment on function private.undo_import_rows(pg_catalog.uuid,integer) is 'Trashes up to max_rows of an undoing batch''s live transactions; answers how many, and marks the batch undone when fewer were left. For the import.undo job.';
comment on function public.undo_import(pg_catalog.uuid) is 'Undoes a committed import batch: marks it undoing and queues the import.undo job (answered), which trashes its transactions and marks it undone. Members; IMPORT_BATCH_NOT_FOUND, IMPORT_BATCH_CLOSED (not committed).';

revoke all on function private.undo_import_rows(uuid,integer) from public, anon, authenticated, service_role;
grant execute on function private.undo_import_rows(uuid,integer) to authenticated;

comment on function private.undo_import(pg_catalog.uuid) is 'See public.undo_import.';

revoke all on function private.undo_import(uuid) from public, anon, authenticated, service_role;

grant execute on function private.undo_import(uuid) to authenticated;

revoke all on function public.undo_import(uuid) from public, anon, authenticated, service_role;

grant execute on function public.undo_import(uuid) to authenticated, service_role;
