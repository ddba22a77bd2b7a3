-- Inserts pay their audit rows, broadcasts, totals, rule tags and webhook checks once per
-- statement instead of once per row: statement triggers with transition tables (an import's
-- thousand-row step, any multi-row insert). Updates and deletes stay row by row.
-- Touches: record_change -> record_inserts on every tracked table, transactions' totals and tag
-- triggers, audit_log's webhook trigger, private.track_changes.

drop trigger if exists "record_change" on "public"."accounts";

drop trigger if exists "record_change" on "public"."attachments";

drop trigger if exists "webhook_event" on "public"."audit_log";

drop trigger if exists "record_change" on "public"."categories";

drop trigger if exists "record_change" on "public"."category_rules";

drop trigger if exists "record_change" on "public"."contracts";

drop trigger if exists "record_change" on "public"."exchange_rates";

drop trigger if exists "record_change" on "public"."import_batches";

drop trigger if exists "record_change" on "public"."import_mappings";

drop trigger if exists "record_change" on "public"."insurances";

drop trigger if exists "record_change" on "public"."invitations";

drop trigger if exists "record_change" on "public"."maintenance_logs";

drop trigger if exists "record_change" on "public"."maintenance_tasks";

drop trigger if exists "record_change" on "public"."memberships";

drop trigger if exists "record_change" on "public"."organizations";

drop trigger if exists "record_change" on "public"."properties";

drop trigger if exists "record_change" on "public"."subscriptions";

drop trigger if exists "record_change" on "public"."tags";

drop trigger if exists "record_change" on "public"."transaction_splits";

drop trigger if exists "record_change" on "public"."transaction_tags";

drop trigger if exists "record_change" on "public"."transactions";

drop trigger if exists "tag_categorized_transaction" on "public"."transactions";

drop trigger if exists "track_transaction_totals" on "public"."transactions";

drop trigger if exists "record_change" on "public"."vehicle_events";

drop trigger if exists "record_change" on "public"."vehicles";

drop trigger if exists "record_change" on "public"."vendors";

drop trigger if exists "record_change" on "public"."warranties";

drop function if exists "private"."tag_categorized_transaction"();

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.record_inserts()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  tracked private.tracked_tables;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  -- Each row serialized once; everything below reads these.
  added jsonb[];
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  select array_agg(to_jsonb(r)) into added from added_rows r;
  if added is null then
    return null;
  end if;
  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  )
  select (a.data ->> tracked.org_column)::uuid, tg_table_name, (a.data ->> 'id')::uuid, 'INSERT', null, a.data,
         auth.uid(),
         coalesce(claims ->> 'role', session_user::text),
         case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
         session_user::text,
         nullif(current_setting('westwallet.undo_of', true), '')::bigint
  from unnest(added) with ordinality as a (data, n)
  order by a.n;

  if not tracked.shared_with_members then
    return null;
  end if;
  if cardinality(added) = 1 then
    perform realtime.send(
      jsonb_build_object('old_record', null, 'record', added[1], 'operation', 'INSERT',
                         'table', tg_table_name, 'schema', tg_table_schema),
      'INSERT', 'org:' || (added[1] ->> tracked.org_column), true);
    return null;
  end if;
  perform realtime.send(
            jsonb_build_object('old_record', null, 'records', jsonb_agg(c.data order by c.n), 'operation', 'INSERT',
                               'table', tg_table_name, 'schema', tg_table_schema),
            'INSERT', 'org:' || c.org_id, true)
  from (
    select a.data, a.n, a.data ->> tracked.org_column as org_id,
           sum(pg_column_size(a.data)) over (partition by a.data ->> tracked.org_column order by a.n) / 100000 as chunk
    from unnest(added) with ordinality as a (data, n)
  ) c
  group by c.org_id, c.chunk;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.tag_categorized_transactions()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  tagged record;
begin
  for tagged in
    select n.org_id, n.id, array(
             select jsonb_array_elements_text(e -> 'add_tags')
             from jsonb_array_elements(c.trail) e
             where e ->> 'stage' = 'rule' and e ? 'add_tags') as tag_names
    from added_rows n
    join public.transaction_categorizations c on c.org_id = n.org_id and c.transaction_id = n.id
    where c.trail @? '$[*] ? (@.stage == "rule").add_tags[*]'
  loop
    perform private.add_rule_tags(tagged.org_id, tagged.id, tagged.tag_names);
  end loop;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.track_transaction_inserts()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  insert into private.pending_totals (org_id, lines)
  select t.org_id, array_agg(l)
  from added_rows t cross join lateral unnest(private.transaction_lines(t, 1)) l
  group by t.org_id;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.audit_log_webhook_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.record_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  tracked private.tracked_tables;
  -- Each row is serialized once; everything below reads these.
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  row_data jsonb := coalesce(new_data, old_data);
  org_id uuid;
  operation text := tg_op;
  before jsonb;
  after jsonb;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  org_id := (row_data ->> tracked.org_column)::uuid;
  -- The organization is being deleted: its log and its members' channels go with it.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = org_id) then
    return null;
  end if;

  if tg_op = 'DELETE' then
    before := old_data;
    if tracked.is_record then
      operation := 'PURGE';
    end if;
  else
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value)
    into before, after
    from jsonb_each(new_data) n
    join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null; -- nothing but the timestamps changed
    end if;
    if after ? 'deleted_at' then
      operation := case when new.deleted_at is null then 'RESTORE' else 'DELETE' end;
      if operation = 'DELETE' then
        before := old_data;
      end if;
    end if;
  end if;

  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  ) values (
    org_id, tg_table_name, (row_data ->> 'id')::uuid, operation, before, after,
    auth.uid(),
    coalesce(claims ->> 'role', session_user::text),
    case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
    session_user::text,
    nullif(current_setting('westwallet.undo_of', true), '')::bigint
  );

  if tracked.shared_with_members then
    perform realtime.send(
      jsonb_build_object('old_record', old_data, 'record', new_data, 'operation', tg_op,
                         'table', tg_table_name, 'schema', tg_table_schema),
      operation, 'org:' || org_id, true
    );
  end if;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.track_changes(target regclass, org_column text DEFAULT 'org_id'::text, shared_with_members boolean DEFAULT true)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  table_name text := private.public_table_name(target);
begin
  insert into private.tracked_tables (table_name, org_column, shared_with_members)
  values (table_name, org_column, shared_with_members)
  on conflict on constraint tracked_tables_pkey do update
    set org_column = excluded.org_column, shared_with_members = excluded.shared_with_members;
  -- Inserts once per statement (record_inserts), updates and deletes row by row (record_change).
  execute format(
    'create trigger record_inserts after insert on %1$s referencing new table as added_rows
       for each statement execute function private.record_inserts();
     create trigger record_change after update or delete on %1$s for each row execute function private.record_change()',
    target
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.track_transaction_totals()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  -- set_transaction_splits() moves the totals itself around changing the parts.
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  if tg_op = 'UPDATE' then
    perform private.add_to_totals(new.org_id, private.transaction_lines(old, -1) || private.transaction_lines(new, 1));
  else
    -- Before the row goes, while its parts can still be read (the cascade deletes them).
    if exists (select from public.organizations o where o.id = old.org_id) then
      perform private.add_to_totals(old.org_id, private.transaction_lines(old, -1));
    end if;
    return old;
  end if;
  return null;
end;
$function$
;

CREATE TRIGGER record_inserts AFTER INSERT ON public.accounts REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.attachments REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.categories REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.category_rules REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.contracts REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.exchange_rates REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.import_batches REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.import_mappings REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.insurances REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.invitations REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.maintenance_logs REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.maintenance_tasks REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.memberships REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.organizations REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.properties REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.subscriptions REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.tags REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.transaction_splits REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.transaction_tags REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.transactions REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.vehicle_events REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.vehicles REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.vendors REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_inserts AFTER INSERT ON public.warranties REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.record_inserts();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.attachments FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER webhook_event AFTER INSERT ON public.audit_log REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.audit_log_webhook_event();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.categories FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.category_rules FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.contracts FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.exchange_rates FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.import_batches FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.import_mappings FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.insurances FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.invitations FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.maintenance_logs FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.maintenance_tasks FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.properties FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.subscriptions FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.tags FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.transaction_splits FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.transaction_tags FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.transactions FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER tag_categorized_transaction AFTER INSERT ON public.transactions REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.tag_categorized_transactions();

CREATE TRIGGER track_transaction_totals AFTER INSERT ON public.transactions REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION private.track_transaction_inserts();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.vehicle_events FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.vehicles FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.vendors FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER DELETE OR UPDATE ON public.warranties FOR EACH ROW EXECUTE FUNCTION private.record_change();

comment on function private.record_inserts() is 'The audit rows and broadcasts of a statement''s inserts into a tracked table (statement trigger; see record_change for updates and deletes).';

revoke all on function private.record_inserts() from public, anon, authenticated, service_role;
revoke all on function private.tag_categorized_transactions() from public, anon, authenticated, service_role;
revoke all on function private.track_transaction_inserts() from public, anon, authenticated, service_role;
