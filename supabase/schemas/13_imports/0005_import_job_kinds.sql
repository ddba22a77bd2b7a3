-- The import kinds (supabase/functions/_shared/imports/kinds.ts).
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.preview', 'member', 3, 5,
   'Reads a bank statement from the imports bucket into a batch of staged rows: new, duplicate (of which transaction), conflict, and the file''s own problems by line (docs/imports.md).'),
  ('import.commit', 'member', 5, 5,
   'Writes a previewed batch''s rows marked import as transactions of one batch, then checks the account''s balance against the statement''s.'),
  ('import.undo', 'member', 5, 5,
   'Trashes an import batch''s transactions in bounded chunks (restorable one by one), then marks the batch undone; queued by undo_import().');
