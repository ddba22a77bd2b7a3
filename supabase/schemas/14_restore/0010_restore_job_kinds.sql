-- The restore kind (supabase/functions/_shared/restore/kind.ts). A member of any organization may
-- ask: the restore creates a new organization of their own, as create_organization() lets them.
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.backup', 'member', 3, 10,
   'Restores a backup ZIP (export.backup) from the restores bucket into a new organization owned by the member who asked.');
