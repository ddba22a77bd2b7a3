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
