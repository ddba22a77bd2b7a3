-- Finished exports: private, one folder per organization (`<org_id>/<job_id>/<file>`). Only the
-- jobs worker writes here (with the secret key, which bypasses these policies); members read
-- their organization's files through signed URLs.
insert into storage.buckets (id, name, public)
values ('exports', 'exports', false)
on conflict (id) do update set public = false;

create policy "members read their organization's exports" on storage.objects
  for select to authenticated using (
    bucket_id = 'exports'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('viewer'))::text[])
  );
