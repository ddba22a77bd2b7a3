-- What a schema diff does not see for the imports (supabase/schemas/13_imports): the imports
-- bucket, the import job kinds, the tracked-table rows of import_batches and import_mappings
-- (their triggers came with the diff), and the column grants members update through.
-- Touches: storage.buckets, private.job_kinds, private.tracked_tables, column privileges.

insert into storage.buckets (id, name, public, file_size_limit)
values ('imports', 'imports', false, 20971520)
on conflict (id) do update set public = false, file_size_limit = excluded.file_size_limit;

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.preview', 'member', 3, 5,
   'Reads a bank statement from the imports bucket into a batch of staged rows: new, duplicate (of which transaction), conflict, and the file''s own problems by line (docs/imports.md).'),
  ('import.commit', 'member', 5, 5,
   'Writes a previewed batch''s rows marked import as transactions of one batch, then checks the account''s balance against the statement''s.');

insert into private.tracked_tables (table_name, org_column, shared_with_members) values
  ('import_batches', 'org_id', true),
  ('import_mappings', 'org_id', true)
on conflict on constraint tracked_tables_pkey do nothing;

grant update (decision) on public.import_rows to authenticated;
grant update (mapping, preset, updated_at) on public.import_mappings to authenticated;
