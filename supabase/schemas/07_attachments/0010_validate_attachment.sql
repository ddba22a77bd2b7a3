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
