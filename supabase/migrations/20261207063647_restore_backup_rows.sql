-- The rows the restore needs that a schema diff does not see: the `restores` bucket and the
-- `import.backup` job kind (as supabase/schemas/14_restore/0010 and 0020 insert them).
-- Touches: storage.buckets (restores), private.job_kinds (import.backup).

insert into storage.buckets (id, name, public, allowed_mime_types)
values ('restores', 'restores', false, array['application/zip', 'application/x-zip-compressed', 'application/octet-stream'])
on conflict (id) do update set public = false, allowed_mime_types = excluded.allowed_mime_types;

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.backup', 'member', 3, 10,
   'Restores a backup ZIP (export.backup) from the restores bucket into a new organization owned by the member who asked.');
