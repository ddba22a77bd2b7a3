-- What an import leaves behind goes on its own: each night, for every organization with something
-- due, the `import.purge` job (supabase/functions/_shared/imports/purge.ts)
--   * expires previews never committed after 7 days (a `previewing` one whose job died too): the
--     batch becomes `expired`, so it can no longer be committed, and its staged rows go;
--   * drops the staged rows of committed and undone batches 30 days after the commit (or undo),
--     keeping the batch row: the history and its counts (undo reads transactions, not rows);
--   * removes statement files through the Storage API (hosted Supabase keeps the bytes outside
--     the database: deleting storage.objects rows would leave them) once no batch that still has
--     its rows uses them and they are 7 days old: so also files never previewed or refused.
-- Bounded work a call: 5,000 rows or 1,000 files a statement, well inside the 8 s a statement has.

create function private.import_preview_retention()
returns interval
language sql
immutable
set search_path = ''
as $$
  select interval '7 days';
$$;

comment on function private.import_preview_retention() is
  'How long an uncommitted preview, and a statement file no batch needs, is kept (import.purge).';

create function private.import_history_retention()
returns interval
language sql
immutable
set search_path = ''
as $$
  select interval '30 days';
$$;

comment on function private.import_history_retention() is
  'How long a committed or undone batch keeps its staged rows and file after the commit or undo (import.purge).';

-- When the purge dropped the batch's rows (and let its file go); null while it has them.
alter table public.import_batches add column purged_at timestamptz;

-- For the files: which batches still need a path.
create index import_batches_org_id_file_path_idx on public.import_batches (org_id, file_path)
  where purged_at is null;

-- Batches whose rows are due to go.
create view admin.expired_import_batches as
  select b.org_id, b.id as batch_id, b.status, b.created_at
  from public.import_batches b
  where b.purged_at is null
    and ((b.status in ('previewed', 'previewing', 'expired')
          and b.created_at < now() - private.import_preview_retention())
      or (b.status in ('committed', 'undone')
          and coalesce(b.undone_at, b.committed_at, b.created_at) < now() - private.import_history_retention()));

comment on view admin.expired_import_batches is
  'Import batches whose staged rows import.purge drops: previews after 7 days, committed or undone batches 30 days after.';

-- Statement files no batch with rows uses, 7 days after their upload.
create view admin.expired_import_files as
  select o.name as object_path, split_part(o.name, '/', 1) as org_folder, o.created_at
  from storage.objects o
  where o.bucket_id = 'imports'
    and o.created_at < now() - private.import_preview_retention()
    and not exists (
      select from public.import_batches b
      where b.purged_at is null and b.file_path = o.name
        and b.org_id = (case when split_part(o.name, '/', 1) ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                             then split_part(o.name, '/', 1)::uuid end)
    );

comment on view admin.expired_import_files is
  'Files of the imports bucket older than 7 days that no batch with staged rows uses; import.purge removes them.';

create function private.enqueue_import_purges()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.enqueue_import_purges() is
  'Enqueues import.purge for each organization with expired import batches or files (nightly).';

-- One part of a batch's purge: a preview is expired first (so no commit can start on it), then
-- its rows go 5,000 a call; when none are left the batch is marked purged. How many rows went.
create function private.purge_import_batch(org uuid, batch uuid)
returns integer
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.purge_import_batch(uuid, uuid) is
  'Expires a preview, deletes up to 5,000 of a batch''s staged rows, and marks the batch purged when none are left (import.purge).';

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.purge', 'owner', 3, 60,
   'Expires the organization''s uncommitted previews, drops staged rows of old batches and removes statement files no batch needs (docs/imports.md).');

select cron.schedule('imports-purge', '40 3 * * *', 'select private.enqueue_import_purges()');
