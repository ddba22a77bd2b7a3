create trigger purge_attachments_of_record after insert on public.audit_log
  for each row when (new.operation = 'PURGE' and new.table_name <> 'attachments')
  execute function private.purge_attachments_of_record();
