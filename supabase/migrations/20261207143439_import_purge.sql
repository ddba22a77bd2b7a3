-- Staged rows and statement files no longer pile up (issue 27): a nightly import.purge per
-- organization expires previews after 7 days, drops rows of committed/undone batches after 30,
-- and removes files no batch needs through the Storage API. import.purge sends no webhook.
-- Touches: public.import_batches (purged_at, index on file_path), admin.expired_import_batches,
-- admin.expired_import_files (new views), private.enqueue_import_purges, private.purge_import_batch,
-- retention functions, the jobs_webhook_event trigger, cron job imports-purge.

drop trigger if exists "jobs_webhook_event" on "public"."jobs";

alter table "public"."import_batches" add column "purged_at" timestamp with time zone;

CREATE INDEX import_batches_org_id_file_path_idx ON public.import_batches USING btree (org_id, file_path) WHERE (purged_at IS NULL);

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.import_preview_retention()
 RETURNS interval
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select interval '7 days';
$function$
;

CREATE OR REPLACE FUNCTION private.import_history_retention()
 RETURNS interval
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select interval '30 days';
$function$
;

create or replace view "admin"."expired_import_batches" as  SELECT org_id,
    id AS batch_id,
    status,
    created_at
   FROM import_batches b
  WHERE ((purged_at IS NULL) AND (((status = ANY (ARRAY['previewed'::import_batch_status, 'previewing'::import_batch_status, 'expired'::import_batch_status])) AND (created_at < (now() - private.import_preview_retention()))) OR ((status = ANY (ARRAY['committed'::import_batch_status, 'undone'::import_batch_status])) AND (COALESCE(undone_at, committed_at, created_at) < (now() - private.import_history_retention())))));


create or replace view "admin"."expired_import_files" as  SELECT name AS object_path,
    split_part(name, '/'::text, 1) AS org_folder,
    created_at
   FROM storage.objects o
  WHERE ((bucket_id = 'imports'::text) AND (created_at < (now() - private.import_preview_retention())) AND (NOT (EXISTS ( SELECT
           FROM import_batches b
          WHERE ((b.purged_at IS NULL) AND (b.file_path = o.name) AND (b.org_id =
                CASE
                    WHEN (split_part(o.name, '/'::text, 1) ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'::text) THEN (split_part(o.name, '/'::text, 1))::uuid
                    ELSE NULL::uuid
                END))))));


CREATE OR REPLACE FUNCTION private.enqueue_import_purges()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  enqueued integer := 0;
  org uuid;
begin
  for org in
    select e.org_id from admin.expired_import_batches e
    union
    select o.id from admin.expired_import_files f join public.organizations o on o.id::text = f.org_folder
  loop
    begin
      perform private.submit_job(org, 'import.purge', '{}'::jsonb, 'import.purge:' || current_date,
                                 'scheduled', null);
      enqueued := enqueued + 1;
    exception when others then
      perform private.note_job_failure('imports-purge', org, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'imports-purge' and f.last_failed_at < now();
  return enqueued;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.purge_import_batch(org uuid, batch uuid)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  removed integer;
begin
  update public.import_batches b set status = 'expired'
  where b.org_id = org and b.id = batch and b.status in ('previewed', 'previewing');
  with doomed as (
    select r.id from public.import_rows r where r.org_id = org and r.batch_id = batch limit 5000
  ), gone as (
    delete from public.import_rows r using doomed d where r.org_id = org and r.id = d.id returning 1
  )
  select count(*)::integer into removed from gone;
  if removed < 5000 then
    update public.import_batches b set purged_at = now() where b.org_id = org and b.id = batch;
  end if;
  return removed;
end;
$function$
;

CREATE TRIGGER jobs_webhook_event AFTER UPDATE OF status ON public.jobs FOR EACH ROW WHEN (((new.status = ANY (ARRAY['succeeded'::job_status, 'failed'::job_status, 'dead'::job_status])) AND (old.status IS DISTINCT FROM new.status) AND ((new.kind ~~ 'export.%'::text) OR (new.kind ~~ 'report.%'::text) OR (new.kind ~~ 'import.%'::text)) AND (new.kind <> ALL (ARRAY['export.purge'::text, 'import.purge'::text])))) EXECUTE FUNCTION private.job_webhook_event();

comment on function private.enqueue_import_purges() is 'Enqueues import.purge for each organization with expired import batches or files (nightly).';
comment on function private.import_history_retention() is 'How long a committed or undone batch keeps its staged rows and file after the commit or undo (import.purge).';
comment on function private.import_preview_retention() is 'How long an uncommitted preview, and a statement file no batch needs, is kept (import.purge).';
comment on function private.purge_import_batch(pg_catalog.uuid,pg_catalog.uuid) is 'Expires a preview, deletes up to 5,000 of a batch''s staged rows, and marks the batch purged when none are left (import.purge).';
comment on view admin.expired_import_batches is 'Import batches whose staged rows import.purge drops: previews after 7 days, committed or undone batches 30 days after.';
comment on view admin.expired_import_files is 'Files of the imports bucket older than 7 days that no batch with staged rows uses; import.purge removes them.';

revoke all on function private.enqueue_import_purges() from public, anon, authenticated, service_role;
revoke all on function private.import_history_retention() from public, anon, authenticated, service_role;
revoke all on function private.import_preview_retention() from public, anon, authenticated, service_role;
revoke all on function private.purge_import_batch(uuid,uuid) from public, anon, authenticated, service_role;

select cron.schedule('imports-purge', '40 3 * * *', 'select private.enqueue_import_purges()');
