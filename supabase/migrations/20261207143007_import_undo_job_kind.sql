-- The import.undo job kind (supabase/functions/_shared/imports/undo.ts), queued by undo_import().
-- Touches: private.job_kinds (a row).

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('import.undo', 'member', 5, 5,
   'Trashes an import batch''s transactions in bounded chunks (restorable one by one), then marks the batch undone; queued by undo_import().')
on conflict (name) do nothing;
