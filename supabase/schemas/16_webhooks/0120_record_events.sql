-- Record events from the audit log: every tracked table's change already writes one audit row
-- in its transaction (private.record_change), so one trigger here gives every tracked table,
-- today's and tomorrow's, its `<entity>.created|updated|deleted` events. Tables whose rows not
-- every member may read (invitations) send nothing; a purge sends nothing (the record's move to
-- the trash sent `deleted`), a restore sends `updated`. Once per statement: a statement that
-- logs a thousand inserts (an import's step) asks once which of their organizations have an
-- endpoint, and the common case, none, ends there.
create function private.audit_log_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  logged public.audit_log;
  entity text;
  action text;
  record jsonb;
begin
  for logged in
    select a.* from added_rows a
    where a.operation <> 'PURGE'
      and a.org_id in (select e.org_id from public.webhook_endpoints e
                       where e.enabled and e.org_id in (select x.org_id from added_rows x))
      and exists (select from private.tracked_tables t where t.table_name = a.table_name and t.shared_with_members)
    order by a.id
  loop
    record := null;
    entity := private.webhook_entity(logged.table_name);
    action := case logged.operation when 'INSERT' then 'created' when 'DELETE' then 'deleted' else 'updated' end;
    if logged.operation = 'INSERT' then
      record := logged.new_values;
    elsif logged.operation = 'DELETE' then
      record := logged.old_values;
    elsif logged.record_id is not null then
      -- An update's audit row holds the changed fields only; receivers want the whole record.
      execute format('select to_jsonb(t) from public.%I t where t.id = $1', logged.table_name) into record using logged.record_id;
    end if;
    perform private.emit_webhook_event(logged.org_id, entity || '.' || action, jsonb_build_object(
      'table', logged.table_name,
      'id', logged.record_id,
      'operation', logged.operation,
      'record', record,
      'changes', case when logged.operation in ('UPDATE', 'RESTORE') then logged.new_values end,
      'previous', case when logged.operation in ('UPDATE', 'RESTORE') then logged.old_values end,
      'actor_id', logged.actor_id,
      'audit_id', logged.id
    ));
    if logged.table_name = 'subscriptions' and logged.operation = 'UPDATE' and logged.new_values ? 'status' then
      perform private.emit_webhook_event(logged.org_id, 'subscription.state_changed', jsonb_build_object(
        'status', logged.new_values ->> 'status', 'previous_status', logged.old_values ->> 'status', 'subscription', record
      ));
    end if;
  end loop;
  return null;
end;
$$;

comment on function private.audit_log_webhook_event() is
  'Turns each audit row of a tracked table into its webhook event (and subscription.state_changed).';

create trigger webhook_event after insert on public.audit_log
  referencing new table as added_rows
  for each statement execute function private.audit_log_webhook_event();
