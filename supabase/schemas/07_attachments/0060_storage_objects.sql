create policy "members read their organization's attachment files" on storage.objects
  for select to authenticated using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('viewer'))::text[])
  );

create policy "writers remove attachment files no attachment uses" on storage.objects
  for delete to authenticated using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and not private.attachment_file_in_use(name)
  );

create policy "writers upload attachment files into their organization's folder" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and private.attachment_folder_writable(name)
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
    and private.attachment_folder_writable(name)
  );
