create function private.config_changes_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise sqlstate 'PT403' using message = 'AUDIT_LOG_APPEND_ONLY', detail = 'Configuration history is never changed or deleted.';
end;
$$;
