-- Statement files to import: private, one folder per organization (`<org_id>/<any name>`). Members
-- upload into their organization's folder and read and remove what is there; the import jobs read
-- with the secret key. 20 MiB a file (packages/shared/src/imports/limits.ts): Storage refuses a
-- larger upload, and the preview refuses a larger object that got there another way.
insert into storage.buckets (id, name, public, file_size_limit)
values ('imports', 'imports', false, 20971520)
on conflict (id) do update set public = false, file_size_limit = excluded.file_size_limit;

create policy "members upload statements into their organization's imports" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'imports'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
  );

create policy "members read their organization's imports" on storage.objects
  for select to authenticated using (
    bucket_id = 'imports'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
  );

create policy "members remove their organization's imports" on storage.objects
  for delete to authenticated using (
    bucket_id = 'imports'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
  );
