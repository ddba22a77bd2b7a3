-- Outbound webhooks: endpoints with rotating secrets, events from every tracked table's audit
-- rows (and jobs, files, credits, subscriptions), deliveries queued in pgmq `webhooks` for the
-- webhooks-send function with Svix's retry schedule, a breaker state table shared by all
-- outbound calls, and the mail to admins when a failing endpoint is disabled.
-- Touches: public.webhook_endpoints, public.webhook_deliveries (new), private.webhook_* (new),
-- private.outbound_breakers (new), private.mail_outbox (template webhook_disabled), triggers on
-- public.audit_log, public.jobs, storage.objects, private.billing_notices; cron webhooks-dispatch.

-- pgmq's own function creates the queue (on hosted the tables belong to the extension).
select pgmq.create('webhooks');

alter table "private"."mail_outbox" drop constraint "mail_outbox_template_check";

  create table "private"."outbound_breakers" (
    "key" text not null,
    "state" jsonb not null,
    "open_until" timestamp with time zone,
    "updated_at" timestamp with time zone not null default now()
      );

alter table "private"."outbound_breakers" enable row level security;

  create table "private"."webhook_event_types" (
    "name" text not null,
    "description" text not null
      );

alter table "private"."webhook_event_types" enable row level security;

  create table "private"."webhook_events" (
    "id" text not null default ('msg_'::text || replace((gen_random_uuid())::text, '-'::text, ''::text)),
    "org_id" uuid not null,
    "type" text not null,
    "data" jsonb not null,
    "created_at" timestamp with time zone not null default now()
      );

alter table "private"."webhook_events" enable row level security;

  create table "private"."webhook_secrets" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "endpoint_id" uuid not null,
    "secret" text not null,
    "created_at" timestamp with time zone not null default now(),
    "expires_at" timestamp with time zone
      );

alter table "private"."webhook_secrets" enable row level security;

  create table "private"."webhook_settings" (
    "singleton" boolean not null default true,
    "allow_loopback" boolean not null default false,
    "retry_schedule" interval[] not null default ARRAY['00:00:00'::interval, '00:00:05'::interval, '00:05:00'::interval, '00:30:00'::interval, '02:00:00'::interval, '05:00:00'::interval, '10:00:00'::interval, '10:00:00'::interval],
    "disable_after" interval not null default '5 days'::interval,
    "timeout_ms" integer not null default 15000,
    "breaker_failures" integer not null default 5,
    "breaker_half_open_seconds" integer not null default 60
      );

alter table "private"."webhook_settings" enable row level security;

  create table "public"."webhook_deliveries" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "endpoint_id" uuid not null,
    "event_id" text not null,
    "event_type" text not null,
    "status" text not null default 'pending'::text,
    "attempts" integer not null default 0,
    "next_attempt_at" timestamp with time zone not null default now(),
    "locked_until" timestamp with time zone,
    "last_attempt_at" timestamp with time zone,
    "last_status" integer,
    "last_latency_ms" integer,
    "last_response" text,
    "last_error" text,
    "created_at" timestamp with time zone not null default now(),
    "delivered_at" timestamp with time zone
      );

alter table "public"."webhook_deliveries" enable row level security;

  create table "public"."webhook_endpoints" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "url" text not null,
    "description" text,
    "event_types" text[] not null,
    "preset" text not null default 'standard'::text,
    "enabled" boolean not null default true,
    "disabled_reason" text,
    "failing_since" timestamp with time zone,
    "created_by" uuid,
    "created_at" timestamp with time zone not null default now(),
    "updated_at" timestamp with time zone not null default now()
      );

alter table "public"."webhook_endpoints" enable row level security;

CREATE UNIQUE INDEX outbound_breakers_pkey ON private.outbound_breakers USING btree (key);

CREATE UNIQUE INDEX webhook_event_types_pkey ON private.webhook_event_types USING btree (name);

CREATE INDEX webhook_events_org_id_idx ON private.webhook_events USING btree (org_id, created_at);

CREATE UNIQUE INDEX webhook_events_pkey ON private.webhook_events USING btree (id);

CREATE INDEX webhook_secrets_org_id_endpoint_id_idx ON private.webhook_secrets USING btree (org_id, endpoint_id);

CREATE UNIQUE INDEX webhook_secrets_pkey ON private.webhook_secrets USING btree (id);

CREATE UNIQUE INDEX webhook_settings_pkey ON private.webhook_settings USING btree (singleton);

CREATE INDEX webhook_deliveries_due_idx ON public.webhook_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);

CREATE INDEX webhook_deliveries_org_id_endpoint_id_idx ON public.webhook_deliveries USING btree (org_id, endpoint_id, created_at DESC);

CREATE UNIQUE INDEX webhook_deliveries_pkey ON public.webhook_deliveries USING btree (id);

CREATE UNIQUE INDEX webhook_endpoints_org_id_id_key ON public.webhook_endpoints USING btree (org_id, id);

CREATE INDEX webhook_endpoints_org_id_idx ON public.webhook_endpoints USING btree (org_id, created_at);

CREATE UNIQUE INDEX webhook_endpoints_pkey ON public.webhook_endpoints USING btree (id);

alter table "private"."outbound_breakers" add constraint "outbound_breakers_pkey" PRIMARY KEY using index "outbound_breakers_pkey";

alter table "private"."webhook_event_types" add constraint "webhook_event_types_pkey" PRIMARY KEY using index "webhook_event_types_pkey";

alter table "private"."webhook_events" add constraint "webhook_events_pkey" PRIMARY KEY using index "webhook_events_pkey";

alter table "private"."webhook_secrets" add constraint "webhook_secrets_pkey" PRIMARY KEY using index "webhook_secrets_pkey";

alter table "private"."webhook_settings" add constraint "webhook_settings_pkey" PRIMARY KEY using index "webhook_settings_pkey";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_pkey" PRIMARY KEY using index "webhook_deliveries_pkey";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_pkey" PRIMARY KEY using index "webhook_endpoints_pkey";

alter table "private"."outbound_breakers" add constraint "outbound_breakers_key_check" CHECK (((length(key) >= 1) AND (length(key) <= 200))) not valid;

alter table "private"."outbound_breakers" validate constraint "outbound_breakers_key_check";

alter table "private"."webhook_event_types" add constraint "webhook_event_types_name_check" CHECK ((name ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'::text)) not valid;

alter table "private"."webhook_event_types" validate constraint "webhook_event_types_name_check";

alter table "private"."webhook_events" add constraint "webhook_events_data_check" CHECK ((jsonb_typeof(data) = 'object'::text)) not valid;

alter table "private"."webhook_events" validate constraint "webhook_events_data_check";

alter table "private"."webhook_events" add constraint "webhook_events_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "private"."webhook_events" validate constraint "webhook_events_org_id_fkey";

alter table "private"."webhook_secrets" add constraint "webhook_secrets_org_id_endpoint_id_fkey" FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints(org_id, id) ON DELETE CASCADE not valid;

alter table "private"."webhook_secrets" validate constraint "webhook_secrets_org_id_endpoint_id_fkey";

alter table "private"."webhook_secrets" add constraint "webhook_secrets_secret_check" CHECK ((secret ~ '^whsec_[A-Za-z0-9+/]{32}$'::text)) not valid;

alter table "private"."webhook_secrets" validate constraint "webhook_secrets_secret_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_breaker_failures_check" CHECK (((breaker_failures >= 1) AND (breaker_failures <= 100))) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_breaker_failures_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_breaker_half_open_seconds_check" CHECK (((breaker_half_open_seconds >= 1) AND (breaker_half_open_seconds <= 86400))) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_breaker_half_open_seconds_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_disable_after_check" CHECK ((disable_after >= '00:00:00'::interval)) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_disable_after_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_retry_schedule_check" CHECK (((cardinality(retry_schedule) >= 1) AND (cardinality(retry_schedule) <= 20))) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_retry_schedule_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_singleton_check" CHECK (singleton) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_singleton_check";

alter table "private"."webhook_settings" add constraint "webhook_settings_timeout_ms_check" CHECK (((timeout_ms >= 100) AND (timeout_ms <= 60000))) not valid;

alter table "private"."webhook_settings" validate constraint "webhook_settings_timeout_ms_check";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_attempts_check" CHECK ((attempts >= 0)) not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_attempts_check";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_check" CHECK (((status = 'delivered'::text) = (delivered_at IS NOT NULL))) not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_check";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_last_error_check" CHECK ((length(last_error) <= 1000)) not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_last_error_check";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_last_response_check" CHECK ((length(last_response) <= 1000)) not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_last_response_check";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_org_id_endpoint_id_fkey" FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_org_id_endpoint_id_fkey";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_org_id_fkey";

alter table "public"."webhook_deliveries" add constraint "webhook_deliveries_status_check" CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'dead'::text]))) not valid;

alter table "public"."webhook_deliveries" validate constraint "webhook_deliveries_status_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_created_by_fkey" FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_created_by_fkey";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_description_check" CHECK ((length(description) <= 500)) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_description_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_disabled_reason_check" CHECK ((disabled_reason = 'failing'::text)) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_disabled_reason_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_event_types_check" CHECK (((cardinality(event_types) >= 1) AND (cardinality(event_types) <= 100))) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_event_types_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_org_id_fkey";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_org_id_id_key" UNIQUE using index "webhook_endpoints_org_id_id_key";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_preset_check" CHECK ((preset = ANY (ARRAY['standard'::text, 'slack'::text, 'teams'::text, 'discord'::text, 'home_assistant'::text]))) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_preset_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_url_check" CHECK ((length(url) <= 2000)) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_url_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_template_check" CHECK ((template = ANY (ARRAY['invitation'::text, 'export_ready'::text, 'webhook_disabled'::text]))) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_template_check";

set check_function_bodies = off;

create or replace view "admin"."outbound_breakers" as  SELECT key,
    (state ->> 'kind'::text) AS kind,
    open_until,
    updated_at,
    state
   FROM private.outbound_breakers b
  ORDER BY updated_at DESC;

create or replace view "admin"."webhook_endpoints" as  SELECT e.id,
    e.org_id,
    o.name AS organization,
    e.url,
    e.preset,
    e.event_types,
    e.enabled,
    e.disabled_reason,
    e.failing_since,
    count(d.id) FILTER (WHERE (d.status = 'pending'::text)) AS pending,
    count(d.id) FILTER (WHERE (d.status = 'dead'::text)) AS dead,
    max(d.delivered_at) AS last_delivered_at
   FROM ((webhook_endpoints e
     JOIN organizations o ON ((o.id = e.org_id)))
     LEFT JOIN webhook_deliveries d ON ((d.endpoint_id = e.id)))
  GROUP BY e.id, o.name
  ORDER BY e.failing_since, e.created_at;

CREATE OR REPLACE FUNCTION private.admin_webhook_endpoint(endpoint_id uuid)
 RETURNS webhook_endpoints
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  found_endpoint public.webhook_endpoints;
begin
  perform private.require_user();
  select * into found_endpoint from public.webhook_endpoints e where e.id = endpoint_id for update;
  if found_endpoint.id is null or not private.has_org_role(found_endpoint.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'WEBHOOK_ENDPOINT_NOT_FOUND', detail = 'No such webhook endpoint.';
  end if;
  perform private.require_org_role(found_endpoint.org_id, 'admin');
  return found_endpoint;
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
$function$
;

CREATE OR REPLACE FUNCTION private.check_webhook_endpoint(url text, event_types text[], preset text)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
declare
  refusal text := private.webhook_url_refusal(url, (select s.allow_loopback from private.webhook_settings s));
  unknown text;
begin
  if refusal is not null then
    raise sqlstate 'PT400' using message = refusal,
      detail = case refusal when 'WEBHOOK_URL_INVALID' then 'A receiver URL is http(s)://host[:port]/path, at most 2,000 characters, without credentials.'
                            else 'The URL points at a private, loopback, link-local or metadata address.' end;
  end if;
  if event_types is null or cardinality(event_types) not between 1 and 100 then
    raise sqlstate 'PT400' using message = 'WEBHOOK_EVENT_TYPE_UNKNOWN', detail = 'Name 1 to 100 event types (or "*").';
  end if;
  select f into unknown from unnest(event_types) f where f is null or not private.webhook_filter_known(f) limit 1;
  if found then
    raise sqlstate 'PT400' using message = 'WEBHOOK_EVENT_TYPE_UNKNOWN', detail = format('No event type %s.', coalesce(unknown, 'null'));
  end if;
  if preset is null or preset not in ('standard', 'slack', 'teams', 'discord', 'home_assistant') then
    raise sqlstate 'PT400' using message = 'WEBHOOK_PRESET_UNKNOWN',
      detail = 'The preset is standard, slack, teams, discord or home_assistant.';
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.claim_webhook_deliveries(delivery_ids uuid[], lock_seconds integer)
 RETURNS TABLE(delivery_id uuid, claimed boolean, wait_seconds integer, attempt integer, event_id text, event_type text, event_data jsonb, event_created_at timestamp with time zone, org_id uuid, endpoint_id uuid, url text, preset text, secrets text[])
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
#variable_conflict use_column
begin
  update public.webhook_deliveries d
  set status = 'dead', locked_until = null, last_error = 'WEBHOOK_ENDPOINT_DISABLED'
  from public.webhook_endpoints e
  where d.id = any (delivery_ids) and d.status = 'pending' and e.id = d.endpoint_id and not e.enabled;

  return query
  with taken as (
    update public.webhook_deliveries d
    set attempts = d.attempts + 1, locked_until = now() + make_interval(secs => lock_seconds), last_attempt_at = now()
    where d.id = any (delivery_ids) and d.status = 'pending' and d.next_attempt_at <= now()
      and (d.locked_until is null or d.locked_until < now())
      and exists (select from private.webhook_events v where v.id = d.event_id)
    returning d.*
  )
  select t.id, true, null::integer, t.attempts, v.id, v.type, v.data, v.created_at, t.org_id,
         e.id, e.url, e.preset,
         array(select s.secret from private.webhook_secrets s
               where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > now())
               order by s.created_at desc)
  from taken t
  join private.webhook_events v on v.id = t.event_id
  join public.webhook_endpoints e on e.id = t.endpoint_id
  union all
  select i.id, false,
         case when d.status = 'pending' and exists (select from private.webhook_events v where v.id = d.event_id) then
           ceil(greatest(0, extract(epoch from greatest(d.next_attempt_at, coalesce(d.locked_until, now())) - now())))::integer + 1
         end,
         null, null, null, null, null, null, null, null, null, null
  from unnest(delivery_ids) i(id)
  left join public.webhook_deliveries d on d.id = i.id
  where not exists (select from taken t where t.id = i.id);
end;
$function$
;

CREATE OR REPLACE FUNCTION private.create_webhook_endpoint(org_id uuid, url text, event_types text[], preset text, description text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  created public.webhook_endpoints;
  secret text := private.new_webhook_secret();
begin
  perform private.require_org_role(create_webhook_endpoint.org_id, 'admin');
  perform private.check_webhook_endpoint(url, event_types, coalesce(preset, 'standard'));
  insert into public.webhook_endpoints (org_id, url, event_types, preset, description, created_by)
  values (create_webhook_endpoint.org_id, url, event_types, coalesce(preset, 'standard'), description, auth.uid())
  returning * into created;
  insert into private.webhook_secrets (org_id, endpoint_id, secret) values (created.org_id, created.id, secret);
  return to_jsonb(created) || jsonb_build_object('secret', secret);
end;
$function$
;

CREATE OR REPLACE FUNCTION private.credits_low_webhook_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.emit_webhook_event(new.org_id, 'credits.low', new.payload);
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.delete_webhook_endpoint(endpoint_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.admin_webhook_endpoint(endpoint_id);
  delete from public.webhook_endpoints e where e.id = endpoint_id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.disable_failing_webhook_endpoint(endpoint_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  endpoint public.webhook_endpoints;
  organization public.organizations;
  recipient record;
begin
  update public.webhook_endpoints e set enabled = false, disabled_reason = 'failing'
  where e.id = endpoint_id and e.enabled
  returning * into endpoint;
  if endpoint.id is null then
    return;
  end if;
  update public.webhook_deliveries d
  set status = 'dead', locked_until = null, last_error = coalesce(d.last_error, 'WEBHOOK_ENDPOINT_DISABLED')
  where d.endpoint_id = endpoint.id and d.status = 'pending';
  select * into organization from public.organizations o where o.id = endpoint.org_id;
  for recipient in
    select u.email, coalesce(p.locale, organization.locale) as locale
    from public.memberships m
    join auth.users u on u.id = m.user_id
    left join public.profiles p on p.user_id = u.id
    where m.org_id = endpoint.org_id and m.role >= 'admin' and u.email_confirmed_at is not null
  loop
    perform private.enqueue_mail('webhook_disabled', recipient.email, recipient.locale,
      jsonb_build_object('organization', organization.name, 'url', endpoint.url,
                         'failing_since', to_char(endpoint.failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
      endpoint.org_id);
  end loop;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.dispatch_webhooks()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if exists (
    select from public.webhook_deliveries d
    where d.status = 'pending' and d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until < now())
  ) then
    perform private.kick_webhooks_send();
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.emit_webhook_event(org_id uuid, event_type text, data jsonb)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  event_id text;
  queued integer;
begin
  if not exists (
    select from public.webhook_endpoints e
    where e.org_id = emit_webhook_event.org_id and e.enabled
      and private.webhook_filters_match(e.event_types, event_type)
  ) then
    return null;
  end if;
  insert into private.webhook_events (org_id, type, data)
  values (emit_webhook_event.org_id, event_type, data)
  returning id into event_id;
  with added as (
    insert into public.webhook_deliveries (org_id, endpoint_id, event_id, event_type)
    select e.org_id, e.id, event_id, event_type
    from public.webhook_endpoints e
    where e.org_id = emit_webhook_event.org_id and e.enabled
      and private.webhook_filters_match(e.event_types, event_type)
    returning id
  )
  select count(*) into queued from (
    select pgmq.send('webhooks', jsonb_build_object('delivery_id', a.id)) from added a
  ) sent;
  perform private.kick_webhooks_send();
  return event_id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.file_webhook_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  folder text := split_part(new.name, '/', 1);
begin
  if folder ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    and exists (select from public.organizations o where o.id = folder::uuid) then
    perform private.emit_webhook_event(folder::uuid, 'file.uploaded', jsonb_build_object(
      'bucket', new.bucket_id, 'path', new.name, 'size', (new.metadata ->> 'size')::bigint,
      'content_type', new.metadata ->> 'mimetype', 'uploaded_by', new.owner_id));
  end if;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.job_webhook_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.emit_webhook_event(new.org_id,
    case when new.kind like 'import.%' then 'import.finished' else 'export.finished' end,
    jsonb_build_object('job_id', new.id, 'kind', new.kind, 'status', new.status, 'result', new.result,
                       'error_code', new.last_error_code, 'requested_by', new.requested_by,
                       'finished_at', new.finished_at));
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.kick_webhooks_send()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if current_setting('westwallet.webhooks_kicked', true) is distinct from 'yes' then
    perform set_config('westwallet.webhooks_kicked', 'yes', true);
    perform private.call_function('webhooks-send', 30000);
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.new_webhook_secret()
 RETURNS text
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select 'whsec_' || encode(extensions.gen_random_bytes(24), 'base64');
$function$
;

CREATE OR REPLACE FUNCTION private.replay_failed_webhook_deliveries(endpoint_id uuid, since timestamp with time zone)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
begin
  if since is null then
    raise sqlstate 'PT400' using message = 'WEBHOOK_REPLAY_SINCE_REQUIRED', detail = 'Say since when to replay.';
  end if;
  if not endpoint.enabled then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  return private.requeue_webhook_deliveries(array(
    select d.id from public.webhook_deliveries d
    where d.org_id = endpoint.org_id and d.endpoint_id = endpoint.id and d.status = 'dead' and d.created_at >= since
    order by d.created_at
    limit 10000
  ));
end;
$function$
;

CREATE OR REPLACE FUNCTION private.replay_webhook_delivery(delivery_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  delivery public.webhook_deliveries;
begin
  select * into delivery from public.webhook_deliveries d where d.id = delivery_id;
  if delivery.id is null or not private.has_org_role(delivery.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'WEBHOOK_DELIVERY_NOT_FOUND', detail = 'No such webhook delivery.';
  end if;
  perform private.admin_webhook_endpoint(delivery.endpoint_id);
  if not (select e.enabled from public.webhook_endpoints e where e.id = delivery.endpoint_id) then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  perform private.requeue_webhook_deliveries(array[delivery.id]);
end;
$function$
;

CREATE OR REPLACE FUNCTION private.requeue_webhook_deliveries(delivery_ids uuid[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  requeued integer;
begin
  with again as (
    update public.webhook_deliveries d
    set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
    where d.id = any (delivery_ids)
    returning d.id
  )
  select count(*) into requeued from (select pgmq.send('webhooks', jsonb_build_object('delivery_id', a.id)) from again a) sent;
  if requeued > 0 then
    perform private.kick_webhooks_send();
  end if;
  return requeued;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.rotate_webhook_secret(endpoint_id uuid, overlap_seconds integer)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  secret text := private.new_webhook_secret();
begin
  if overlap_seconds is null or overlap_seconds not between 0 and 7 * 86400 then
    raise sqlstate 'PT400' using message = 'WEBHOOK_OVERLAP_INVALID', detail = 'The overlap is 0 to 604800 seconds (a week).';
  end if;
  delete from private.webhook_secrets s
  where s.endpoint_id = endpoint.id and s.expires_at is not null;
  update private.webhook_secrets s set expires_at = now() + make_interval(secs => overlap_seconds)
  where s.endpoint_id = endpoint.id and s.expires_at is null;
  insert into private.webhook_secrets (org_id, endpoint_id, secret) values (endpoint.org_id, endpoint.id, secret);
  return secret;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.send_webhook_test(endpoint_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  event_id text;
  delivery_id uuid;
begin
  if not endpoint.enabled then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  insert into private.webhook_events (org_id, type, data)
  values (endpoint.org_id, 'webhook.test', jsonb_build_object('endpoint_id', endpoint.id, 'requested_by', auth.uid()))
  returning id into event_id;
  insert into public.webhook_deliveries (org_id, endpoint_id, event_id, event_type)
  values (endpoint.org_id, endpoint.id, event_id, 'webhook.test')
  returning id into delivery_id;
  perform pgmq.send('webhooks', jsonb_build_object('delivery_id', delivery_id));
  perform private.kick_webhooks_send();
  return event_id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.update_webhook_endpoint(endpoint_id uuid, url text, event_types text[], preset text, description text, enabled boolean)
 RETURNS webhook_endpoints
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  current_endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  updated public.webhook_endpoints;
begin
  perform private.check_webhook_endpoint(coalesce(url, current_endpoint.url),
    coalesce(event_types, current_endpoint.event_types), coalesce(preset, current_endpoint.preset));
  update public.webhook_endpoints e
  set url = coalesce(update_webhook_endpoint.url, e.url),
      event_types = coalesce(update_webhook_endpoint.event_types, e.event_types),
      preset = coalesce(update_webhook_endpoint.preset, e.preset),
      description = coalesce(update_webhook_endpoint.description, e.description),
      enabled = coalesce(update_webhook_endpoint.enabled, e.enabled),
      -- Enabled again by an admin: the failure clock starts over.
      disabled_reason = case when coalesce(update_webhook_endpoint.enabled, e.enabled) then null else e.disabled_reason end,
      failing_since = case when update_webhook_endpoint.enabled then null else e.failing_since end
  where e.id = endpoint_id
  returning * into updated;
  return updated;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_attempt_done(delivery_id uuid, succeeded boolean, status_code integer, latency_ms integer, response text, error text)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  settings private.webhook_settings;
  delivery public.webhook_deliveries;
  endpoint public.webhook_endpoints;
  waits interval;
begin
  select * into settings from private.webhook_settings;
  -- The endpoint's row before the delivery's, in the order disabling takes them, so settling
  -- attempts and disabling never wait on each other in a circle. A success on a healthy endpoint
  -- (the common case) locks nothing but its delivery.
  select e.* into endpoint from public.webhook_endpoints e
  join public.webhook_deliveries d on d.endpoint_id = e.id
  where d.id = delivery_id;
  if not succeeded or endpoint.failing_since is not null then
    select * into endpoint from public.webhook_endpoints e where e.id = endpoint.id for update;
  end if;

  update public.webhook_deliveries d
  set status = case when succeeded then 'delivered' else d.status end,
      delivered_at = case when succeeded then now() end,
      locked_until = null, last_status = status_code, last_latency_ms = latency_ms,
      last_response = left(response, 1000), last_error = left(error, 1000)
  where d.id = delivery_id and d.status = 'pending'
  returning * into delivery;
  if delivery.id is null then
    return null; -- replayed or disabled meanwhile: nothing to schedule
  end if;
  if succeeded then
    if endpoint.failing_since is not null then
      update public.webhook_endpoints e set failing_since = null where e.id = endpoint.id;
    end if;
    return null;
  end if;

  if endpoint.failing_since is null then
    update public.webhook_endpoints e set failing_since = now() where e.id = endpoint.id
    returning * into endpoint;
  end if;
  if endpoint.enabled and endpoint.failing_since <= now() - settings.disable_after then
    perform private.disable_failing_webhook_endpoint(endpoint.id);
    return null;
  end if;

  if delivery.attempts >= cardinality(settings.retry_schedule) then
    update public.webhook_deliveries d set status = 'dead' where d.id = delivery_id;
    return null;
  end if;
  waits := settings.retry_schedule[delivery.attempts + 1];
  update public.webhook_deliveries d set next_attempt_at = now() + waits where d.id = delivery_id;
  return ceil(extract(epoch from waits))::integer;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_attempt_postponed(delivery_id uuid, wait_seconds integer)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  update public.webhook_deliveries d
  set attempts = greatest(d.attempts - 1, 0), locked_until = null,
      next_attempt_at = now() + make_interval(secs => wait_seconds), last_error = 'WEBHOOK_BREAKER_OPEN'
  where d.id = delivery_id and d.status = 'pending';
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_endpoint_secrets(endpoint_id uuid)
 RETURNS TABLE(secret text, expires_at timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.admin_webhook_endpoint(endpoint_id);
  return query
    select s.secret, s.expires_at from private.webhook_secrets s
    where s.endpoint_id = webhook_endpoint_secrets.endpoint_id and (s.expires_at is null or s.expires_at > now())
    order by s.created_at desc;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_entity(table_name text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select case
    when table_name ~ 'ies$' then regexp_replace(table_name, 'ies$', 'y')
    when table_name ~ '(ss|us)$' then table_name
    when table_name ~ 'ses$' then regexp_replace(table_name, 'es$', '')
    else regexp_replace(table_name, 's$', '')
  end;
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_event_type_names()
 RETURNS SETOF text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select t.name from private.webhook_event_types t
  union
  select private.webhook_entity(tt.table_name) || '.' || op
  from private.tracked_tables tt, unnest(array['created', 'updated', 'deleted']) op;
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_filter_known(filter text)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select filter = '*' or exists (
    select from private.webhook_event_type_names() n
    where n = filter or (filter ~ '\.\*$' and split_part(n, '.', 1) = split_part(filter, '.', 1))
  );
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_filters_match(filters text[], event_type text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select event_type = any (filters) or '*' = any (filters)
    or (split_part(event_type, '.', 1) || '.*') = any (filters);
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_url_refusal(url text, allow_loopback boolean)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
declare
  parts text[] := regexp_match(url, '^(https?)://([^/?#@\s]+)([/?#][^\s]*)?$', 'i');
  authority text;
  host text;
  address inet;
begin
  if url is null or length(url) > 2000 or parts is null then
    return 'WEBHOOK_URL_INVALID';
  end if;
  authority := lower(parts[2]);
  -- [v6]:port, or name:port
  host := coalesce((regexp_match(authority, '^\[([0-9a-f:.]+)\](:\d{1,5})?$'))[1],
                   (regexp_match(authority, '^([a-z0-9.-]+)(:\d{1,5})?$'))[1]);
  if host is null or host = '' or host ~ '^\.|\.\.|\.$' then
    return 'WEBHOOK_URL_INVALID';
  end if;
  if host = 'localhost' or host ~ '\.localhost$' then
    return case when allow_loopback then null else 'WEBHOOK_URL_FORBIDDEN' end;
  end if;
  if host in ('metadata.google.internal', 'metadata', 'instance-data') or host ~ '\.(internal|local)$' then
    return 'WEBHOOK_URL_FORBIDDEN';
  end if;
  if host ~ '^[0-9.]+$' or host ~ ':' then
    begin
      address := host::inet;
    exception when others then
      return 'WEBHOOK_URL_INVALID';
    end;
    -- An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 one.
    if family(address) = 6 and address << '::ffff:0:0/96'::inet then
      address := (regexp_replace(host(address), '^::ffff:', ''))::inet;
    end if;
    if address << '127.0.0.0/8'::inet or address = '::1'::inet then
      return case when allow_loopback then null else 'WEBHOOK_URL_FORBIDDEN' end;
    end if;
    if address << any (array[
      '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
      '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3', '::/128', 'fc00::/7', 'fe80::/10', 'ff00::/8',
      '64:ff9b::/96', '2001:db8::/32'
    ]::inet[]) or address in ('0.0.0.0'::inet, '::'::inet) then
      return 'WEBHOOK_URL_FORBIDDEN';
    end if;
  elsif host !~ '\.' then
    -- A bare name resolves by the search domains of whatever machine sends: never public.
    return 'WEBHOOK_URL_FORBIDDEN';
  end if;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.create_webhook_endpoint(org_id uuid, url text, event_types text[], preset text DEFAULT 'standard'::text, description text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.create_webhook_endpoint(org_id, url, event_types, preset, description); $function$
;

CREATE OR REPLACE FUNCTION public.delete_webhook_endpoint(endpoint_id uuid)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.delete_webhook_endpoint(endpoint_id); $function$
;

CREATE OR REPLACE FUNCTION public.replay_failed_webhook_deliveries(endpoint_id uuid, since timestamp with time zone)
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.replay_failed_webhook_deliveries(endpoint_id, since); $function$
;

CREATE OR REPLACE FUNCTION public.replay_webhook_delivery(delivery_id uuid)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.replay_webhook_delivery(delivery_id); $function$
;

CREATE OR REPLACE FUNCTION public.rotate_webhook_secret(endpoint_id uuid, overlap_seconds integer DEFAULT 86400)
 RETURNS text
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.rotate_webhook_secret(endpoint_id, overlap_seconds); $function$
;

CREATE OR REPLACE FUNCTION public.send_webhook_test(endpoint_id uuid)
 RETURNS text
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.send_webhook_test(endpoint_id); $function$
;

CREATE OR REPLACE FUNCTION public.update_webhook_endpoint(endpoint_id uuid, url text DEFAULT NULL::text, event_types text[] DEFAULT NULL::text[], preset text DEFAULT NULL::text, description text DEFAULT NULL::text, enabled boolean DEFAULT NULL::boolean)
 RETURNS webhook_endpoints
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select private.update_webhook_endpoint(endpoint_id, url, event_types, preset, description, enabled); $function$
;

CREATE OR REPLACE FUNCTION public.webhook_endpoint_secrets(endpoint_id uuid)
 RETURNS TABLE(secret text, expires_at timestamp with time zone)
 LANGUAGE sql
 SET search_path TO ''
AS $function$ select * from private.webhook_endpoint_secrets(endpoint_id); $function$
;

grant select on table "public"."webhook_deliveries" to "authenticated";

grant delete on table "public"."webhook_deliveries" to "service_role";

grant insert on table "public"."webhook_deliveries" to "service_role";

grant references on table "public"."webhook_deliveries" to "service_role";

grant select on table "public"."webhook_deliveries" to "service_role";

grant trigger on table "public"."webhook_deliveries" to "service_role";

grant truncate on table "public"."webhook_deliveries" to "service_role";

grant update on table "public"."webhook_deliveries" to "service_role";

grant select on table "public"."webhook_endpoints" to "authenticated";

grant delete on table "public"."webhook_endpoints" to "service_role";

grant insert on table "public"."webhook_endpoints" to "service_role";

grant references on table "public"."webhook_endpoints" to "service_role";

grant select on table "public"."webhook_endpoints" to "service_role";

grant trigger on table "public"."webhook_endpoints" to "service_role";

grant truncate on table "public"."webhook_endpoints" to "service_role";

grant update on table "public"."webhook_endpoints" to "service_role";

  create policy "admins read their organization's webhook deliveries"
  on "public"."webhook_deliveries"
  as permissive
  for select
  to authenticated
using (( SELECT private.has_org_role(webhook_deliveries.org_id, 'admin'::org_role) AS has_org_role));

  create policy "members read their organization's webhook endpoints"
  on "public"."webhook_endpoints"
  as permissive
  for select
  to authenticated
using (( SELECT private.has_org_role(webhook_endpoints.org_id, 'viewer'::org_role) AS has_org_role));

CREATE TRIGGER credits_low_webhook_event AFTER INSERT ON private.billing_notices FOR EACH ROW WHEN ((new.kind = 'credits_low'::text)) EXECUTE FUNCTION private.credits_low_webhook_event();

CREATE TRIGGER webhook_event AFTER INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION private.audit_log_webhook_event();

CREATE TRIGGER jobs_webhook_event AFTER UPDATE OF status ON public.jobs FOR EACH ROW WHEN (((new.status = ANY (ARRAY['succeeded'::job_status, 'failed'::job_status, 'dead'::job_status])) AND (old.status IS DISTINCT FROM new.status) AND ((new.kind ~~ 'export.%'::text) OR (new.kind ~~ 'report.%'::text) OR (new.kind ~~ 'import.%'::text)) AND (new.kind <> 'export.purge'::text))) EXECUTE FUNCTION private.job_webhook_event();

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON public.webhook_endpoints FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();

CREATE TRIGGER file_webhook_event AFTER INSERT ON storage.objects FOR EACH ROW WHEN ((new.bucket_id = 'attachments'::text)) EXECUTE FUNCTION private.file_webhook_event();

comment on function private.audit_log_webhook_event() is 'Turns each audit row of a tracked table into its webhook event (and subscription.state_changed).';
comment on function private.claim_webhook_deliveries(pg_catalog.uuid[],integer) is 'webhooks-send: takes the due deliveries for one attempt (claimed) and says of the others how long to wait (null: nothing to send).';
comment on function private.credits_low_webhook_event() is 'credits.low when billing notes a low credit balance.';
comment on function private.disable_failing_webhook_endpoint(pg_catalog.uuid) is 'Disables an endpoint that failed for too long, ends its waiting deliveries and mails its admins and owners.';
comment on function private.dispatch_webhooks() is 'Calls webhooks-send when a delivery is due (pg_cron, every second).';
comment on function private.emit_webhook_event(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb) is 'Writes a webhook event and its deliveries (one per enabled endpoint subscribed to the type) in the caller''s transaction; answers the event id or null.';
comment on function private.file_webhook_event() is 'file.uploaded when a file lands in an organization''s attachments folder.';
comment on function private.job_webhook_event() is 'export.finished or import.finished when such a job ends.';
comment on function private.kick_webhooks_send() is 'Asks webhooks-send, once per transaction and after commit, to deliver what is due.';
comment on function private.webhook_attempt_done(pg_catalog.uuid,boolean,integer,integer,pg_catalog.text,pg_catalog.text) is 'webhooks-send: records an attempt; schedules the next by the retry schedule (answers its delay) or ends the delivery (null).';
comment on function private.webhook_attempt_postponed(pg_catalog.uuid,integer) is 'webhooks-send: the endpoint''s circuit breaker is open; the delivery waits without using an attempt.';
comment on function private.webhook_entity(pg_catalog.text) is 'The singular a table''s webhook events are named by (transactions: transaction).';
comment on function private.webhook_event_type_names() is 'All webhook event types: the catalog rows and created/updated/deleted of each tracked table.';
comment on function private.webhook_url_refusal(pg_catalog.text,boolean) is 'WEBHOOK_URL_INVALID or WEBHOOK_URL_FORBIDDEN for a receiver URL the database can already judge, else null.';
comment on function public.create_webhook_endpoint(pg_catalog.uuid,pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text) is 'Admins: registers a receiver; answers the endpoint with its secret (whsec_...), shown this once.';
comment on function public.delete_webhook_endpoint(pg_catalog.uuid) is 'Admins: removes the endpoint with its secrets and delivery log.';
comment on function public.replay_failed_webhook_deliveries(pg_catalog.uuid,timestamp with time zone) is 'Admins: sends every dead delivery of the endpoint created since then again; answers how many.';
comment on function public.replay_webhook_delivery(pg_catalog.uuid) is 'Admins: sends a delivery again now (same webhook-id, a fresh retry schedule).';
comment on function public.rotate_webhook_secret(pg_catalog.uuid,integer) is 'Admins: a new secret; the previous one keeps signing beside it for overlap_seconds (default a day).';
comment on function public.send_webhook_test(pg_catalog.uuid) is 'Admins: sends a webhook.test event to this endpoint; answers its webhook-id.';
comment on function public.update_webhook_endpoint(pg_catalog.uuid,pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text,boolean) is 'Admins: changes what is given (null: unchanged); enabling again restarts the failure clock.';
comment on function public.webhook_endpoint_secrets(pg_catalog.uuid) is 'Admins: the secrets that sign now, newest first (expires_at set during an overlap).';
comment on table private.outbound_breakers is 'Shared circuit breaker state of outbound calls, per key; admin.outbound_breakers shows it.';
comment on table private.webhook_event_types is 'Webhook event types other than record changes; a module adds its own rows (docs/webhooks.md, "Event catalog").';
comment on table private.webhook_events is 'Outbound webhook events, one per happening; deliveries point at them.';
comment on table private.webhook_secrets is 'Signing secrets of webhook endpoints: the current one (expires_at null) and rotated ones during their overlap.';
comment on table private.webhook_settings is 'Outbound webhook settings (one row): loopback receivers, retry schedule, disable-after, timeout, breaker (docs/webhooks.md).';
comment on table public.webhook_deliveries is 'The delivery log: one row per event and endpoint, with its last attempt (status, latency, the answer''s start). Admins read it; replay_webhook_delivery and replay_failed_webhook_deliveries send again.';
comment on table public.webhook_endpoints is 'Receivers of an organization''s outbound webhooks (docs/webhooks.md): members read them, admins change them through the webhook RPCs. Secrets are in private.webhook_secrets.';
comment on view admin.outbound_breakers is 'Circuit breakers of outbound calls: which are open and until when.';
comment on view admin.webhook_endpoints is 'Every organization''s webhook endpoints with their backlog: failing ones first.';

revoke all on function private.admin_webhook_endpoint(uuid) from public, anon, authenticated, service_role;
revoke all on function private.audit_log_webhook_event() from public, anon, authenticated, service_role;
revoke all on function private.check_webhook_endpoint(text,text[],text) from public, anon, authenticated, service_role;
revoke all on function private.claim_webhook_deliveries(uuid[],integer) from public, anon, authenticated, service_role;
revoke all on function private.create_webhook_endpoint(uuid,text,text[],text,text) from public, anon, authenticated, service_role;
grant execute on function private.create_webhook_endpoint(uuid,text,text[],text,text) to authenticated;
revoke all on function private.credits_low_webhook_event() from public, anon, authenticated, service_role;
revoke all on function private.delete_webhook_endpoint(uuid) from public, anon, authenticated, service_role;
grant execute on function private.delete_webhook_endpoint(uuid) to authenticated;
revoke all on function private.disable_failing_webhook_endpoint(uuid) from public, anon, authenticated, service_role;
revoke all on function private.dispatch_webhooks() from public, anon, authenticated, service_role;
revoke all on function private.emit_webhook_event(uuid,text,jsonb) from public, anon, authenticated, service_role;
revoke all on function private.file_webhook_event() from public, anon, authenticated, service_role;
revoke all on function private.job_webhook_event() from public, anon, authenticated, service_role;
revoke all on function private.kick_webhooks_send() from public, anon, authenticated, service_role;
revoke all on function private.new_webhook_secret() from public, anon, authenticated, service_role;
revoke all on function private.replay_failed_webhook_deliveries(uuid,timestamp with time zone) from public, anon, authenticated, service_role;
grant execute on function private.replay_failed_webhook_deliveries(uuid,timestamp with time zone) to authenticated;
revoke all on function private.replay_webhook_delivery(uuid) from public, anon, authenticated, service_role;
grant execute on function private.replay_webhook_delivery(uuid) to authenticated;
revoke all on function private.requeue_webhook_deliveries(uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.rotate_webhook_secret(uuid,integer) from public, anon, authenticated, service_role;
grant execute on function private.rotate_webhook_secret(uuid,integer) to authenticated;
revoke all on function private.send_webhook_test(uuid) from public, anon, authenticated, service_role;
grant execute on function private.send_webhook_test(uuid) to authenticated;
revoke all on function private.update_webhook_endpoint(uuid,text,text[],text,text,boolean) from public, anon, authenticated, service_role;
grant execute on function private.update_webhook_endpoint(uuid,text,text[],text,text,boolean) to authenticated;
revoke all on function private.webhook_attempt_done(uuid,boolean,integer,integer,text,text) from public, anon, authenticated, service_role;
revoke all on function private.webhook_attempt_postponed(uuid,integer) from public, anon, authenticated, service_role;
revoke all on function private.webhook_endpoint_secrets(uuid) from public, anon, authenticated, service_role;
grant execute on function private.webhook_endpoint_secrets(uuid) to authenticated;
revoke all on function private.webhook_entity(text) from public, anon, authenticated, service_role;
revoke all on function private.webhook_event_type_names() from public, anon, authenticated, service_role;
revoke all on function private.webhook_filter_known(text) from public, anon, authenticated, service_role;
revoke all on function private.webhook_filters_match(text[],text) from public, anon, authenticated, service_role;
revoke all on function private.webhook_url_refusal(text,boolean) from public, anon, authenticated, service_role;
revoke all on function public.create_webhook_endpoint(uuid,text,text[],text,text) from public, anon, authenticated, service_role;
grant execute on function public.create_webhook_endpoint(uuid,text,text[],text,text) to authenticated, service_role;
revoke all on function public.delete_webhook_endpoint(uuid) from public, anon, authenticated, service_role;
grant execute on function public.delete_webhook_endpoint(uuid) to authenticated, service_role;
revoke all on function public.replay_failed_webhook_deliveries(uuid,timestamp with time zone) from public, anon, authenticated, service_role;
grant execute on function public.replay_failed_webhook_deliveries(uuid,timestamp with time zone) to authenticated, service_role;
revoke all on function public.replay_webhook_delivery(uuid) from public, anon, authenticated, service_role;
grant execute on function public.replay_webhook_delivery(uuid) to authenticated, service_role;
revoke all on function public.rotate_webhook_secret(uuid,integer) from public, anon, authenticated, service_role;
grant execute on function public.rotate_webhook_secret(uuid,integer) to authenticated, service_role;
revoke all on function public.send_webhook_test(uuid) from public, anon, authenticated, service_role;
grant execute on function public.send_webhook_test(uuid) to authenticated, service_role;
revoke all on function public.update_webhook_endpoint(uuid,text,text[],text,text,boolean) from public, anon, authenticated, service_role;
grant execute on function public.update_webhook_endpoint(uuid,text,text[],text,text,boolean) to authenticated, service_role;
revoke all on function public.webhook_endpoint_secrets(uuid) from public, anon, authenticated, service_role;
grant execute on function public.webhook_endpoint_secrets(uuid) to authenticated, service_role;

select cron.schedule('webhooks-dispatch', '1 seconds', 'select private.dispatch_webhooks()');
