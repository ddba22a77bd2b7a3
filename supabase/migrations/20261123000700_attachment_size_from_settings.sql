-- One maximum file size: the platform configuration's max_file_size_bytes now limits attachments
-- (it was a constant in private.attachment_limits()), and changing it updates the bucket that
-- Storage enforces on upload.
-- Touches: storage.buckets (attachments), app_settings (trigger).

create or replace function private.attachment_limits()
returns table (max_bytes bigint, content_types text[])
language sql
stable
set search_path = ''
as $$
  select (select s.max_file_size_bytes from public.app_settings s), array[
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

create function private.sync_attachment_bucket_with_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_attachment_bucket();
  return null;
end;
$$;

create trigger sync_attachment_bucket after update of max_file_size_bytes on public.app_settings
  for each statement execute function private.sync_attachment_bucket_with_settings();

select private.sync_attachment_bucket();
