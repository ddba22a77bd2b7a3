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
