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
