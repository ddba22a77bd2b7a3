-- Attachments: receipts and documents stored in the private Storage bucket `attachments`, each
-- linked to the record it belongs to, in any record table (present or future).
--
-- Files live under `<org_id>/...`; policies on storage.objects let members of any role read and
-- list their organization's folder and writers (member and above) upload. A file, once a row of
-- public.attachments points at it, can no longer be replaced, moved or removed through Storage:
-- its row goes through the trash like any record, and once the row is purged the file is an
-- orphan that writers may remove (admin.orphaned_attachment_files lists the rest for operators).
--
-- Size and type limits have one definition, private.attachment_limits(); the bucket row is
-- written from it (Storage refuses over-limit uploads), and linking re-checks them against the
-- stored object's metadata, which clients cannot set.
-- Touches: storage.buckets (attachments), storage.objects (policies), attachments,
-- audit_log (trigger: purging a record purges its attachments), admin.orphaned_attachment_files.

-- Limits -------------------------------------------------------------------------------------

-- The one place the limits are defined. To take them from a configuration table, change this
-- body and call private.sync_attachment_bucket() whenever that table changes.
create function private.attachment_limits()
returns table (max_bytes bigint, content_types text[])
language sql
stable
set search_path = ''
as $$
  select 20 * 1024 * 1024::bigint, array[
    'application/pdf',
    'image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/gif',
    'text/plain', 'text/csv',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet'
  ];
$$;
comment on function private.attachment_limits is
  'Largest file and allowed content types for attachments. No HTML or SVG: a signed URL serves a file with its own type.';

-- Storage enforces the bucket's settings on upload: keep them equal to the limits.
create function private.sync_attachment_bucket()
returns void
language sql
set search_path = ''
as $$
  insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
  select 'attachments', 'attachments', false, l.max_bytes, l.content_types from private.attachment_limits() l
  on conflict (id) do update
    set public = false, file_size_limit = excluded.file_size_limit, allowed_mime_types = excluded.allowed_mime_types;
$$;

select private.sync_attachment_bucket();

-- The table ----------------------------------------------------------------------------------

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The object's name in the `attachments` bucket: `<org_id>/<anything>`. One row per file,
  -- trashed or not, since purging the row lets the file go.
  object_path text not null unique,
  -- The defaults only mark these optional for clients: validate_attachment sets them, the type
  -- and size from the stored object's metadata, the name from the path unless one is given.
  file_name text not null default '' check (char_length(file_name) between 1 and 255),
  content_type text not null default '',
  size_bytes bigint not null default 0 check (size_bytes >= 0),
  -- The record the file belongs to, in any record table other than this one.
  record_table text not null,
  record_id uuid not null
);
comment on table public.attachments is
  'A file in the private Storage bucket `attachments`, linked to the record it belongs to (record_table, record_id).';

select private.enroll_record_table('public.attachments');

create index attachments_org_id_record_idx on public.attachments (org_id, record_table, record_id);

create function private.validate_attachment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  metadata jsonb;
  limits record;
  stored_type text;
  stored_size bigint;
  record_found boolean;
begin
  if tg_op = 'UPDATE' then
    if (new.object_path, new.content_type, new.size_bytes) is distinct from (old.object_path, old.content_type, old.size_bytes) then
      raise sqlstate 'PT400' using message = 'READ_ONLY_COLUMN',
        detail = 'object_path, content_type and size_bytes describe the stored file; attach a new upload instead.';
    end if;
  else
    if (storage.foldername(new.object_path))[1] is distinct from new.org_id::text
       or coalesce(storage.filename(new.object_path), '') = '' or new.object_path ~ '(^|/)\.\.?(/|$)' then
      raise sqlstate 'PT400' using message = 'ATTACHMENT_PATH_INVALID',
        detail = format('%L is not a file in the organization''s folder: <org_id>/<name>.', new.object_path);
    end if;
    select o.metadata into metadata from storage.objects o where o.bucket_id = 'attachments' and o.name = new.object_path;
    stored_size := coalesce(metadata ->> 'size', metadata ->> 'contentLength')::bigint;
    if stored_size is null then
      raise sqlstate 'PT404' using message = 'ATTACHMENT_FILE_NOT_FOUND',
        detail = format('Upload %L to the attachments bucket first.', new.object_path);
    end if;
    stored_type := lower(btrim(split_part(metadata ->> 'mimetype', ';', 1)));
    select * into limits from private.attachment_limits();
    -- Storage refuses such uploads too; this holds for files stored before a limit was lowered.
    if stored_size > limits.max_bytes then
      raise sqlstate 'PT413' using message = 'ATTACHMENT_TOO_LARGE',
        detail = format('The file has %s bytes; at most %s are allowed.', stored_size, limits.max_bytes);
    end if;
    if stored_type is null or not stored_type = any (limits.content_types) then
      raise sqlstate 'PT415' using message = 'ATTACHMENT_TYPE_NOT_ALLOWED',
        detail = format('%s files are not allowed; allowed: %s.', coalesce(stored_type, 'untyped'), array_to_string(limits.content_types, ', '));
    end if;
    new.content_type := stored_type;
    new.size_bytes := stored_size;
    new.file_name := coalesce(nullif(btrim(new.file_name), ''), storage.filename(new.object_path));
  end if;

  -- The record must be live in the same organization: on insert, on relinking, and on restore.
  if tg_op = 'INSERT' or (new.record_table, new.record_id) is distinct from (old.record_table, old.record_id)
     or (old.deleted_at is not null and new.deleted_at is null) then
    if new.record_table = 'attachments' or not exists (
      select from private.tracked_tables t where t.table_name = new.record_table and t.is_record
    ) then
      raise sqlstate 'PT404' using message = 'ATTACHMENT_RECORD_NOT_FOUND',
        detail = format('%L is not a table whose records take attachments.', new.record_table);
    end if;
    execute format('select exists (select from public.%I r where r.org_id = $1 and r.id = $2 and r.deleted_at is null)', new.record_table)
      into record_found using new.org_id, new.record_id;
    if not record_found then
      raise sqlstate 'PT404' using message = 'ATTACHMENT_RECORD_NOT_FOUND',
        detail = format('No live record %s in %s of this organization (restore it from the trash first).', new.record_id, new.record_table);
    end if;
  end if;
  return new;
end;
$$;

-- Named to run after stamp_record, which refuses another organization's insert before anything
-- here could tell whether a path or record of it exists.
create trigger validate_attachment before insert or update on public.attachments
  for each row execute function private.validate_attachment();

-- Purging a record (from the trash, or by the scheduled purge) purges its attachments. Every
-- record table writes a PURGE entry to the audit log, so this covers tables created later too.
create function private.purge_attachments_of_record()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  previous text := private.internal_operation();
begin
  perform set_config('westwallet.internal_operation', 'purge', true);
  delete from public.attachments a
  where a.org_id = new.org_id and a.record_table = new.table_name and a.record_id = new.record_id;
  -- The scheduled purge keeps purging other tables after this.
  perform set_config('westwallet.internal_operation', coalesce(previous, ''), true);
  return null;
end;
$$;

create trigger purge_attachments_of_record after insert on public.audit_log
  for each row when (new.operation = 'PURGE' and new.table_name <> 'attachments')
  execute function private.purge_attachments_of_record();

-- Storage ------------------------------------------------------------------------------------

-- Whether an attachment row (live or in the trash) points at the file.
create function private.attachment_file_in_use(object_path text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select from public.attachments a where a.object_path = attachment_file_in_use.object_path);
$$;
grant execute on function private.attachment_file_in_use(text) to authenticated;

create policy "members read their organization's attachment files" on storage.objects
  for select to authenticated using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('viewer'))::text[])
  );
create policy "writers upload attachment files into their organization's folder" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
  );
create policy "writers replace attachment files not yet attached" on storage.objects
  for update to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and not private.attachment_file_in_use(name)
  )
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
  );
create policy "writers remove attachment files no attachment uses" on storage.objects
  for delete to authenticated using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and not private.attachment_file_in_use(name)
  );

-- Files no row points at: uploads never attached (after a day's grace, for an upload whose link
-- is still to come) and files of purged attachments. Hosted Supabase refuses deletes from
-- storage.objects in SQL (the bytes live elsewhere), so an operator removes them through the
-- Storage API (README, "Attachments").
create view admin.orphaned_attachment_files as
  select o.name as object_path, o.created_at, (o.metadata ->> 'size')::bigint as size_bytes
  from storage.objects o
  where o.bucket_id = 'attachments' and o.created_at < now() - interval '1 day'
    and not exists (select from public.attachments a where a.object_path = o.name);
comment on view admin.orphaned_attachment_files is
  'Files in the attachments bucket no attachment row points at; remove them with the Storage API.';
