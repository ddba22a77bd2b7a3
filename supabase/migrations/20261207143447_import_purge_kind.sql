-- The import.purge job kind (as supabase/schemas/13_imports/0110_purge_imports.sql inserts it):
-- db:diff does not see rows.
-- Touches: private.job_kinds (one row).

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.purge', 'owner', 3, 60,
   'Expires the organization''s uncommitted previews, drops staged rows of old batches and removes statement files no batch needs (docs/imports.md).');
