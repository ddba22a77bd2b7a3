-- Record events from the audit log: every tracked table's change already writes one audit row
-- in its transaction (private.record_change), so one trigger here gives every tracked table,
-- today's and tomorrow's, its `<entity>.created|updated|deleted` events. Tables whose rows not
-- every member may read (invitations) send nothing; a purge sends nothing (the record's move to
-- the trash sent `deleted`), a restore sends `updated`.
create function private.audit_log_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  entity text;
  action text;
  record jsonb;
begin
  if new.org_id is null or new.operation = 'PURGE'
    -- Cheap exit for the common case: the organization has no endpoint at all.
    or not exists (select from public.webhook_endpoints e where e.org_id = new.org_id and e.enabled)
    or not exists (select from private.tracked_tables t where t.table_name = new.table_name and t.shared_with_members) then
    return null;
  end if;
  entity := private.webhook_entity(new.table_name);
  action := case new.operation when 'INSERT' then 'created' when 'DELETE' then 'deleted' else 'updated' end;
  if new.operation = 'INSERT' then
    record := new.new_values;
  elsif new.operation = 'DELETE' then
    record := new.old_values;
  elsif new.record_id is not null then
    -- An update's audit row holds the changed fields only; receivers want the whole record.
    execute format('select to_jsonb(t) from public.%I t where t.id = $1', new.table_name) into record using new.record_id;
  end if;
  perform private.emit_webhook_event(new.org_id, entity || '.' || action, jsonb_build_object(
    'table', new.table_name,
    'id', new.record_id,
    'operation', new.operation,
    'record', record,
    'changes', case when new.operation in ('UPDATE', 'RESTORE') then new.new_values end,
    'previous', case when new.operation in ('UPDATE', 'RESTORE') then new.old_values end,
    'actor_id', new.actor_id,
    'audit_id', new.id
  ));
  if new.table_name = 'subscriptions' and new.operation = 'UPDATE' and new.new_values ? 'status' then
    perform private.emit_webhook_event(new.org_id, 'subscription.state_changed', jsonb_build_object(
      'status', new.new_values ->> 'status', 'previous_status', new.old_values ->> 'status', 'subscription', record
    ));
  end if;
  return null;
end;
$$;

comment on function private.audit_log_webhook_event() is
  'Turns each audit row of a tracked table into its webhook event (and subscription.state_changed).';

create trigger webhook_event after insert on public.audit_log
  for each row execute function private.audit_log_webhook_event();
