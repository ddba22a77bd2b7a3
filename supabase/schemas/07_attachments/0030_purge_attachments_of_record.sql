-- Purging a record (from the trash, or by the scheduled purge) purges its attachments. Every
-- record table writes a PURGE entry to the audit log, so this covers tables created later too.
create function private.purge_attachments_of_record()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  previous text := private.internal_operation();
begin
  perform set_config('westwallet.internal_operation', 'purge', true);
  delete from public.attachments a
  where a.org_id = new.org_id and a.record_table = new.table_name and a.record_id = new.record_id;
  -- The scheduled purge keeps purging other tables after this.
  perform set_config('westwallet.internal_operation', coalesce(previous, ''), true);
  return null;
end;
$$;
