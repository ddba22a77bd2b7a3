-- Backups waiting to be restored: private, one folder per user (`<user_id>/<file>.zip`), since the
-- restore makes a new organization that no existing one owns. Each user writes, reads and
-- removes only their own folder; the jobs worker reads with the secret key.
insert into storage.buckets (id, name, public, allowed_mime_types)
values ('restores', 'restores', false, array['application/zip', 'application/x-zip-compressed', 'application/octet-stream'])
on conflict (id) do update set public = false, allowed_mime_types = excluded.allowed_mime_types;

create policy "users upload backups into their own restores folder" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'restores' and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "users read their own backups to restore" on storage.objects
  for select to authenticated using (
    bucket_id = 'restores' and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "users remove their own backups to restore" on storage.objects
  for delete to authenticated using (
    bucket_id = 'restores' and (storage.foldername(name))[1] = (select auth.uid())::text
  );
