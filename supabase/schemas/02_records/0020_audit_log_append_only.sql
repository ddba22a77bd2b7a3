create function private.audit_log_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deleting an organization takes its log with it; nothing else removes or rewrites a row.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  raise sqlstate 'PT403' using message = 'AUDIT_LOG_APPEND_ONLY', detail = 'Audit rows are never changed or deleted.';
end;
$$;
