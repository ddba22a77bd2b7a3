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

comment on function private.attachment_limits is
  'Largest file and allowed content types for attachments. No HTML or SVG: a signed URL serves a file with its own type.';
