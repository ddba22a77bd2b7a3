-- Reminders, notifications and email (issue 28): kinds as rows modules add, per-user channels
-- and quiet hours, in-app notifications pushed on user:<id>, reminder windows fired once,
-- digests, signed unsubscribe, suppression of bounced addresses, segment messages; the outbox's
-- templates become rows (private.mail_templates) instead of a check.
-- Touches: private.mail_outbox (template check to a foreign key, suppression trigger),
-- contracts/warranties/insurances/maintenance_tasks (reminder_days), private.can_receive_topic,
-- private.mail_export_ready (now a notification), auth.users and public.invitations (triggers).

alter table "private"."mail_outbox" drop constraint "mail_outbox_template_check";


  create table "private"."announcements" (
    "id" uuid not null default gen_random_uuid(),
    "segment" text not null,
    "locale" locale,
    "subject" text not null,
    "body" text not null,
    "per_minute" integer not null,
    "recipients" integer not null default 0,
    "sent_by" uuid,
    "created_at" timestamp with time zone not null default now()
      );


alter table "private"."announcements" enable row level security;


  create table "private"."digest_items" (
    "id" bigint generated always as identity not null,
    "user_id" uuid not null,
    "org_id" uuid not null,
    "kind" text not null,
    "frequency" text not null,
    "title" text not null,
    "created_at" timestamp with time zone not null default now(),
    "sent_at" timestamp with time zone
      );


alter table "private"."digest_items" enable row level security;


  create table "private"."mail_suppressions" (
    "email" text not null,
    "reason" text not null,
    "provider_event_id" text,
    "created_at" timestamp with time zone not null default now()
      );


alter table "private"."mail_suppressions" enable row level security;


  create table "private"."mail_templates" (
    "name" text not null,
    "module" text not null
      );


alter table "private"."mail_templates" enable row level security;


  create table "private"."notification_kinds" (
    "name" text not null,
    "module" text not null,
    "source" text,
    "template" text not null,
    "audience" org_role not null default 'member'::org_role,
    "default_in_app" boolean not null default true,
    "default_email" text not null default 'now'::text,
    "default_lead_days" smallint[] not null default '{}'::smallint[],
    "titles" jsonb not null
      );


alter table "private"."notification_kinds" enable row level security;


  create table "private"."reminder_firings" (
    "kind" text not null,
    "item_id" uuid not null,
    "due_on" date not null,
    "lead_days" smallint not null,
    "org_id" uuid not null,
    "fired_on" date not null,
    "fired_at" timestamp with time zone not null default now()
      );


alter table "private"."reminder_firings" enable row level security;


  create table "private"."unsubscribe_keys" (
    "id" boolean not null default true,
    "key" bytea not null default extensions.gen_random_bytes(32)
      );


alter table "private"."unsubscribe_keys" enable row level security;


  create table "public"."notification_preferences" (
    "user_id" uuid not null,
    "kind" text not null,
    "in_app" boolean not null default true,
    "email" text not null default 'now'::text,
    "updated_at" timestamp with time zone not null default now()
      );


alter table "public"."notification_preferences" enable row level security;


  create table "public"."notification_settings" (
    "user_id" uuid not null,
    "quiet_from" time without time zone,
    "quiet_until" time without time zone,
    "time_zone" text,
    "digest_hour" smallint not null default 8,
    "updated_at" timestamp with time zone not null default now()
      );


alter table "public"."notification_settings" enable row level security;


  create table "public"."notifications" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "user_id" uuid not null,
    "kind" text not null,
    "title" text not null,
    "data" jsonb not null default '{}'::jsonb,
    "created_at" timestamp with time zone not null default now(),
    "read_at" timestamp with time zone
      );


alter table "public"."notifications" enable row level security;

-- The reminder_days checks call it.
CREATE OR REPLACE FUNCTION private.lead_days_are_valid(days smallint[])
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select days is null or (cardinality(days) <= 6 and 0 <= all (days) and 366 >= all (days) and array_position(days, null) is null);
$function$
;

alter table "public"."contracts" add column "reminder_days" smallint[];

alter table "public"."insurances" add column "reminder_days" smallint[];

alter table "public"."maintenance_tasks" add column "reminder_days" smallint[];

alter table "public"."warranties" add column "reminder_days" smallint[];

CREATE UNIQUE INDEX announcements_pkey ON private.announcements USING btree (id);

CREATE INDEX digest_items_org_id_idx ON private.digest_items USING btree (org_id);

CREATE INDEX digest_items_pending_idx ON private.digest_items USING btree (user_id, created_at) WHERE (sent_at IS NULL);

CREATE UNIQUE INDEX digest_items_pkey ON private.digest_items USING btree (id);

CREATE UNIQUE INDEX mail_suppressions_pkey ON private.mail_suppressions USING btree (email);

CREATE UNIQUE INDEX mail_templates_pkey ON private.mail_templates USING btree (name);

CREATE UNIQUE INDEX notification_kinds_pkey ON private.notification_kinds USING btree (name);

CREATE INDEX reminder_firings_org_id_idx ON private.reminder_firings USING btree (org_id, fired_at);

CREATE UNIQUE INDEX reminder_firings_pkey ON private.reminder_firings USING btree (kind, item_id, due_on, lead_days);

CREATE UNIQUE INDEX unsubscribe_keys_pkey ON private.unsubscribe_keys USING btree (id);

CREATE UNIQUE INDEX notification_preferences_pkey ON public.notification_preferences USING btree (user_id, kind);

CREATE UNIQUE INDEX notification_settings_pkey ON public.notification_settings USING btree (user_id);

CREATE INDEX notifications_org_id_idx ON public.notifications USING btree (org_id, created_at DESC);

CREATE UNIQUE INDEX notifications_pkey ON public.notifications USING btree (id);

CREATE INDEX notifications_unread_idx ON public.notifications USING btree (user_id) WHERE (read_at IS NULL);

CREATE INDEX notifications_user_id_idx ON public.notifications USING btree (user_id, created_at DESC);

alter table "private"."announcements" add constraint "announcements_pkey" PRIMARY KEY using index "announcements_pkey";

alter table "private"."digest_items" add constraint "digest_items_pkey" PRIMARY KEY using index "digest_items_pkey";

alter table "private"."mail_suppressions" add constraint "mail_suppressions_pkey" PRIMARY KEY using index "mail_suppressions_pkey";

alter table "private"."mail_templates" add constraint "mail_templates_pkey" PRIMARY KEY using index "mail_templates_pkey";

-- The templates exist before the outbox refers to them.
insert into private.mail_templates (name, module) values
  ('invitation', 'tenancy'),
  ('export_ready', 'exports'),
  ('reminder', 'notifications'),
  ('digest', 'notifications'),
  ('announcement', 'notifications'),
  ('welcome', 'notifications'),
  ('payment_failed', 'notifications'),
  ('payment_receipt', 'notifications');


alter table "private"."notification_kinds" add constraint "notification_kinds_pkey" PRIMARY KEY using index "notification_kinds_pkey";

alter table "private"."reminder_firings" add constraint "reminder_firings_pkey" PRIMARY KEY using index "reminder_firings_pkey";

alter table "private"."unsubscribe_keys" add constraint "unsubscribe_keys_pkey" PRIMARY KEY using index "unsubscribe_keys_pkey";

alter table "public"."notification_preferences" add constraint "notification_preferences_pkey" PRIMARY KEY using index "notification_preferences_pkey";

alter table "public"."notification_settings" add constraint "notification_settings_pkey" PRIMARY KEY using index "notification_settings_pkey";

alter table "public"."notifications" add constraint "notifications_pkey" PRIMARY KEY using index "notifications_pkey";

alter table "private"."announcements" add constraint "announcements_body_check" CHECK (((length(body) >= 1) AND (length(body) <= 10000))) not valid;

alter table "private"."announcements" validate constraint "announcements_body_check";

alter table "private"."announcements" add constraint "announcements_check" CHECK (((segment = 'language'::text) = (locale IS NOT NULL))) not valid;

alter table "private"."announcements" validate constraint "announcements_check";

alter table "private"."announcements" add constraint "announcements_per_minute_check" CHECK (((per_minute >= 1) AND (per_minute <= 6000))) not valid;

alter table "private"."announcements" validate constraint "announcements_per_minute_check";

alter table "private"."announcements" add constraint "announcements_segment_check" CHECK ((segment = ANY (ARRAY['all'::text, 'trialing'::text, 'language'::text]))) not valid;

alter table "private"."announcements" validate constraint "announcements_segment_check";

alter table "private"."announcements" add constraint "announcements_sent_by_fkey" FOREIGN KEY (sent_by) REFERENCES auth.users(id) ON DELETE SET NULL not valid;

alter table "private"."announcements" validate constraint "announcements_sent_by_fkey";

alter table "private"."announcements" add constraint "announcements_subject_check" CHECK (((length(subject) >= 1) AND (length(subject) <= 200))) not valid;

alter table "private"."announcements" validate constraint "announcements_subject_check";

alter table "private"."digest_items" add constraint "digest_items_frequency_check" CHECK ((frequency = ANY (ARRAY['daily'::text, 'weekly'::text]))) not valid;

alter table "private"."digest_items" validate constraint "digest_items_frequency_check";

alter table "private"."digest_items" add constraint "digest_items_kind_fkey" FOREIGN KEY (kind) REFERENCES private.notification_kinds(name) ON DELETE CASCADE not valid;

alter table "private"."digest_items" validate constraint "digest_items_kind_fkey";

alter table "private"."digest_items" add constraint "digest_items_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "private"."digest_items" validate constraint "digest_items_org_id_fkey";

alter table "private"."digest_items" add constraint "digest_items_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "private"."digest_items" validate constraint "digest_items_user_id_fkey";

alter table "private"."mail_outbox" add constraint "mail_outbox_template_fkey" FOREIGN KEY (template) REFERENCES private.mail_templates(name) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_template_fkey";

alter table "private"."mail_suppressions" add constraint "mail_suppressions_email_check" CHECK ((email = lower(btrim(email)))) not valid;

alter table "private"."mail_suppressions" validate constraint "mail_suppressions_email_check";

alter table "private"."mail_suppressions" add constraint "mail_suppressions_reason_check" CHECK ((reason = ANY (ARRAY['bounce'::text, 'complaint'::text, 'manual'::text]))) not valid;

alter table "private"."mail_suppressions" validate constraint "mail_suppressions_reason_check";

alter table "private"."mail_templates" add constraint "mail_templates_module_check" CHECK (((length(module) >= 1) AND (length(module) <= 40))) not valid;

alter table "private"."mail_templates" validate constraint "mail_templates_module_check";

alter table "private"."mail_templates" add constraint "mail_templates_name_check" CHECK ((name ~ '^[a-z][a-z_]*$'::text)) not valid;

alter table "private"."mail_templates" validate constraint "mail_templates_name_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_default_email_check" CHECK ((default_email = ANY (ARRAY['off'::text, 'now'::text, 'daily'::text, 'weekly'::text]))) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_default_email_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_default_lead_days_check" CHECK (((cardinality(default_lead_days) <= 6) AND (0 <= ALL (default_lead_days)) AND (366 >= ALL (default_lead_days)))) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_default_lead_days_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_module_check" CHECK (((length(module) >= 1) AND (length(module) <= 40))) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_module_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_name_check" CHECK ((name ~ '^[a-z][a-z_]*$'::text)) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_name_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_source_check" CHECK ((source ~ '^private\.[a-z][a-z0-9_]*$'::text)) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_source_check";

alter table "private"."notification_kinds" add constraint "notification_kinds_template_fkey" FOREIGN KEY (template) REFERENCES private.mail_templates(name) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_template_fkey";

alter table "private"."notification_kinds" add constraint "notification_kinds_titles_check" CHECK (((jsonb_typeof(titles) = 'object'::text) AND (titles ? 'en'::text))) not valid;

alter table "private"."notification_kinds" validate constraint "notification_kinds_titles_check";

alter table "private"."reminder_firings" add constraint "reminder_firings_kind_fkey" FOREIGN KEY (kind) REFERENCES private.notification_kinds(name) ON DELETE CASCADE not valid;

alter table "private"."reminder_firings" validate constraint "reminder_firings_kind_fkey";

alter table "private"."reminder_firings" add constraint "reminder_firings_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "private"."reminder_firings" validate constraint "reminder_firings_org_id_fkey";

alter table "private"."unsubscribe_keys" add constraint "unsubscribe_keys_id_check" CHECK (id) not valid;

alter table "private"."unsubscribe_keys" validate constraint "unsubscribe_keys_id_check";

alter table "public"."contracts" add constraint "contracts_reminder_days_check" CHECK (private.lead_days_are_valid(reminder_days)) not valid;

alter table "public"."contracts" validate constraint "contracts_reminder_days_check";

alter table "public"."insurances" add constraint "insurances_reminder_days_check" CHECK (private.lead_days_are_valid(reminder_days)) not valid;

alter table "public"."insurances" validate constraint "insurances_reminder_days_check";

alter table "public"."maintenance_tasks" add constraint "maintenance_tasks_reminder_days_check" CHECK (private.lead_days_are_valid(reminder_days)) not valid;

alter table "public"."maintenance_tasks" validate constraint "maintenance_tasks_reminder_days_check";

alter table "public"."notification_preferences" add constraint "notification_preferences_email_check" CHECK ((email = ANY (ARRAY['off'::text, 'now'::text, 'daily'::text, 'weekly'::text]))) not valid;

alter table "public"."notification_preferences" validate constraint "notification_preferences_email_check";

alter table "public"."notification_preferences" add constraint "notification_preferences_kind_fkey" FOREIGN KEY (kind) REFERENCES private.notification_kinds(name) ON DELETE CASCADE not valid;

alter table "public"."notification_preferences" validate constraint "notification_preferences_kind_fkey";

alter table "public"."notification_preferences" add constraint "notification_preferences_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "public"."notification_preferences" validate constraint "notification_preferences_user_id_fkey";

alter table "public"."notification_settings" add constraint "notification_settings_digest_hour_check" CHECK (((digest_hour >= 0) AND (digest_hour <= 23))) not valid;

alter table "public"."notification_settings" validate constraint "notification_settings_digest_hour_check";

alter table "public"."notification_settings" add constraint "notification_settings_quiet_hours_check" CHECK ((((quiet_from IS NULL) = (quiet_until IS NULL)) AND ((quiet_from IS NULL) OR (quiet_from <> quiet_until)))) not valid;

alter table "public"."notification_settings" validate constraint "notification_settings_quiet_hours_check";

alter table "public"."notification_settings" add constraint "notification_settings_time_zone_check" CHECK (private.is_time_zone(time_zone)) not valid;

alter table "public"."notification_settings" validate constraint "notification_settings_time_zone_check";

alter table "public"."notification_settings" add constraint "notification_settings_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "public"."notification_settings" validate constraint "notification_settings_user_id_fkey";

alter table "public"."notifications" add constraint "notifications_data_check" CHECK (((jsonb_typeof(data) = 'object'::text) AND (pg_column_size(data) <= 8192))) not valid;

alter table "public"."notifications" validate constraint "notifications_data_check";

alter table "public"."notifications" add constraint "notifications_kind_fkey" FOREIGN KEY (kind) REFERENCES private.notification_kinds(name) ON DELETE CASCADE not valid;

alter table "public"."notifications" validate constraint "notifications_kind_fkey";

alter table "public"."notifications" add constraint "notifications_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."notifications" validate constraint "notifications_org_id_fkey";

alter table "public"."notifications" add constraint "notifications_title_check" CHECK (((length(title) >= 1) AND (length(title) <= 300))) not valid;

alter table "public"."notifications" validate constraint "notifications_title_check";

alter table "public"."notifications" add constraint "notifications_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "public"."notifications" validate constraint "notifications_user_id_fkey";

alter table "public"."warranties" add constraint "warranties_reminder_days_check" CHECK (private.lead_days_are_valid(reminder_days)) not valid;

alter table "public"."warranties" validate constraint "warranties_reminder_days_check";

set check_function_bodies = off;

create or replace view "admin"."mail_suppressions" as  SELECT email,
    reason,
    provider_event_id,
    created_at
   FROM private.mail_suppressions s
  ORDER BY created_at DESC;


CREATE OR REPLACE FUNCTION admin.unsuppress_address(email text)
 RETURNS boolean
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  with removed as (delete from private.mail_suppressions s where s.email = lower(btrim(unsuppress_address.email)) returning 1)
  select exists (select from removed);
$function$
;

CREATE OR REPLACE FUNCTION private.after_quiet_hours(quiet_from time without time zone, quiet_until time without time zone, time_zone text, as_of timestamp with time zone)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
declare
  local_time timestamp := as_of at time zone time_zone;
  quiet boolean;
begin
  if quiet_from is null or quiet_until is null then
    return as_of;
  end if;
  quiet := case
    when quiet_from < quiet_until then local_time::time >= quiet_from and local_time::time < quiet_until
    else local_time::time >= quiet_from or local_time::time < quiet_until
  end;
  if not quiet then
    return as_of;
  end if;
  return (case when local_time::time < quiet_until then local_time::date else local_time::date + 1 end
          + quiet_until) at time zone time_zone;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.announcement_audience(segment text, language locale)
 RETURNS TABLE(user_id uuid, email text, locale locale)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
begin
  if segment is null or segment not in ('all', 'trialing', 'language') or ((segment = 'language') <> (language is not null)) then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'segment: all, trialing, or language with a locale.';
  end if;
  return query
    select u.id, lower(u.email), coalesce(p.locale, 'en'::public.locale)
    from auth.users u
    left join public.profiles p on p.user_id = u.id
    where u.email_confirmed_at is not null and u.email is not null
      and (private.effective_channels(u.id, 'announcement')).email <> 'off'
      and not exists (select from private.mail_suppressions s where s.email = lower(u.email))
      and case announcement_audience.segment
        when 'all' then true
        when 'language' then coalesce(p.locale, 'en') = announcement_audience.language
        else exists (select from public.memberships m join public.subscriptions s on s.org_id = m.org_id
                     where m.user_id = u.id and s.status = 'trialing')
      end
    order by u.created_at, u.id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.check_announcement(subject text, body text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
begin
  if coalesce(length(btrim(subject)), 0) not between 1 and 200 or coalesce(length(btrim(body)), 0) not between 1 and 10000 then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'subject: 1 to 200 characters; body: 1 to 10000.';
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.contract_end_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select c.org_id, c.id, c.name, d.effective_ends_on, c.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.contracts c on c.org_id = o.id and c.deleted_at is null and c.status in ('active', 'notice_given')
  cross join lateral private.contract_dates(c, t.today) d
  where (org_ids is null or o.id = any (org_ids))
    and d.effective_ends_on between t.today and t.today + 366;
$function$
;

CREATE OR REPLACE FUNCTION private.contract_notice_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select c.org_id, c.id, c.name, d.notice_deadline_on, c.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.contracts c on c.org_id = o.id and c.deleted_at is null and c.status = 'active'
  cross join lateral private.contract_dates(c, t.today) d
  where (org_ids is null or o.id = any (org_ids))
    and d.notice_deadline_on between t.today and t.today + 366;
$function$
;

CREATE OR REPLACE FUNCTION private.effective_channels(user_id uuid, kind text, OUT in_app boolean, OUT email text)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select coalesce(p.in_app, k.default_in_app),
         case
           when p.email is not null then p.email
           when not coalesce((pr.preferences #>> '{notifications,email}')::boolean,
                             (a.notification_defaults ->> 'email')::boolean, true) then 'off'
           when k.default_email in ('daily', 'weekly') then
             coalesce(pr.preferences #>> '{notifications,digest}', a.notification_defaults ->> 'digest', k.default_email)
           else k.default_email
         end
  from private.notification_kinds k
  cross join (select * from public.app_settings limit 1) a
  left join public.profiles pr on pr.user_id = effective_channels.user_id
  left join public.notification_preferences p on p.user_id = effective_channels.user_id and p.kind = k.name
  where k.name = effective_channels.kind;
$function$
;

CREATE OR REPLACE FUNCTION private.insurance_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select i.org_id, i.id, coalesce(i.name, i.insurer, i.kind::text), i.renews_on, i.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.insurances i on i.org_id = o.id and i.deleted_at is null and i.ended_on is null
  where (org_ids is null or o.id = any (org_ids))
    and i.renews_on between t.today and t.today + 366;
$function$
;


CREATE OR REPLACE FUNCTION private.mail_welcome()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.enqueue_mail(
    'welcome', new.email,
    case when new.raw_user_meta_data ->> 'locale' in ('sv', 'nb', 'da', 'fi', 'de', 'en')
         then (new.raw_user_meta_data ->> 'locale')::public.locale else 'en' end,
    jsonb_build_object('email', lower(new.email)));
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.maintenance_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select m.org_id, m.id, m.title, m.next_due_on, m.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.maintenance_tasks m on m.org_id = o.id and m.deleted_at is null
  where (org_ids is null or o.id = any (org_ids))
    and m.next_due_on between t.today and t.today + 366;
$function$
;

CREATE OR REPLACE FUNCTION private.notification_channels()
 RETURNS TABLE(kind text, in_app boolean, email text, is_default boolean)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select k.name, c.in_app, c.email, p.user_id is null
  from private.notification_kinds k
  cross join lateral private.effective_channels((select auth.uid()), k.name) c
  left join public.notification_preferences p on p.kind = k.name and p.user_id = (select auth.uid())
  where (select auth.uid()) is not null
  order by k.name;
$function$
;

CREATE OR REPLACE FUNCTION private.notify(kind text, org_id uuid, item text, data jsonb DEFAULT '{}'::jsonb, variables jsonb DEFAULT '{}'::jsonb, user_ids uuid[] DEFAULT NULL::uuid[], as_of timestamp with time zone DEFAULT now())
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  k private.notification_kinds;
  organization public.organizations;
  recipient record;
  title text;
  outbox_id uuid;
  told integer := 0;
begin
  select * into k from private.notification_kinds nk where nk.name = notify.kind;
  if not found then
    raise sqlstate 'PT400' using message = 'NOTIFICATION_KIND_UNKNOWN', detail = format('No notification kind %s.', notify.kind);
  end if;
  select * into organization from public.organizations o where o.id = notify.org_id;
  for recipient in
    select u.id as user_id, u.email, u.email_confirmed_at is not null as confirmed,
           coalesce(p.locale, organization.locale)::text as locale,
           c.in_app, c.email as email_channel,
           s.quiet_from, s.quiet_until, coalesce(s.time_zone, organization.time_zone) as time_zone
    from auth.users u
    left join public.profiles p on p.user_id = u.id
    cross join lateral private.effective_channels(u.id, k.name) c
    left join public.notification_settings s on s.user_id = u.id
    where case
      when notify.user_ids is not null then u.id = any (notify.user_ids)
      else u.id in (select m.user_id from public.memberships m where m.org_id = notify.org_id and m.role >= k.audience)
    end
  loop
    title := coalesce(k.titles ->> recipient.locale, k.titles ->> 'en');
    title := replace(replace(replace(title,
      '{{item}}', coalesce(item, organization.name)),
      '{{due_on}}', coalesce(data ->> 'due_on', '')),
      '{{days}}', coalesce(data ->> 'days_left', ''));
    if recipient.in_app then
      insert into public.notifications (org_id, user_id, kind, title, data)
      values (notify.org_id, recipient.user_id, k.name, left(title, 300), data);
    end if;
    if recipient.confirmed and recipient.email_channel = 'now' then
      outbox_id := private.enqueue_mail(
        k.template, recipient.email, recipient.locale::public.locale,
        jsonb_build_object('organization', organization.name, 'title', title, 'kind', k.name,
                           'unsubscribe_token', private.unsubscribe_token(recipient.user_id, k.name))
          || data || variables,
        notify.org_id);
      update private.mail_outbox m
      set next_attempt_at = private.after_quiet_hours(recipient.quiet_from, recipient.quiet_until, recipient.time_zone, as_of)
      where m.id = outbox_id and m.status = 'pending' and recipient.quiet_from is not null;
    elsif recipient.confirmed and recipient.email_channel in ('daily', 'weekly') then
      insert into private.digest_items (user_id, org_id, kind, frequency, title)
      values (recipient.user_id, notify.org_id, k.name, recipient.email_channel, title);
    end if;
    told := told + (recipient.in_app or (recipient.confirmed and recipient.email_channel <> 'off'))::integer;
  end loop;
  return told;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.notify_billing_notice()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if new.kind in ('credits_low', 'payment_failed') then
    perform private.notify(new.kind, new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                           new.payload || jsonb_build_object('notice_id', new.id));
  end if;
  update private.billing_notices n set handled_at = now() where n.id = new.id;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.notify_invitation()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  invitee uuid;
begin
  select u.id into invitee from auth.users u where lower(u.email) = new.email and u.email_confirmed_at is not null;
  if invitee is not null then
    perform private.notify('invitation', new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                           jsonb_build_object('invitation_id', new.id, 'role', new.role), '{}', array[invitee]);
  end if;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.notify_invoice_paid()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  amount_paid text;
begin
  select round(new.amount_paid / power(10::numeric, c.minor_units), c.minor_units)::text into amount_paid
  from public.currencies c where c.code = new.currency;
  perform private.notify('payment_receipt', new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                         jsonb_build_object('invoice_id', new.id, 'number', coalesce(new.number, new.stripe_invoice_id),
                                            'amount_paid', amount_paid, 'currency', new.currency));
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.preview_announcement(segment text, subject text, body text, locale locale)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.require_platform_admin();
  perform private.check_announcement(subject, body);
  return (
    select jsonb_build_object(
      'recipients', count(*),
      'sample', coalesce((jsonb_agg(a.email order by a.n) filter (where a.n <= 10)), '[]'),
      'by_language', coalesce((select jsonb_object_agg(l.locale, l.n)
                               from (select x.locale, count(*) as n from private.announcement_audience(segment, locale) x group by x.locale) l), '{}'),
      'subject', subject, 'body', body)
    from (select x.email, row_number() over () as n from private.announcement_audience(segment, locale) x) a
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.purge_notifications(as_of timestamp with time zone DEFAULT now())
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  delete from public.notifications n where n.created_at < as_of - interval '180 days';
  delete from private.digest_items d where d.sent_at < as_of - interval '30 days';
  delete from private.reminder_firings f where f.due_on < (as_of - interval '1 year')::date;
$function$
;

CREATE OR REPLACE FUNCTION private.push_notification()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform realtime.send(
    jsonb_build_object('notification_id', new.id, 'org_id', new.org_id, 'kind', new.kind, 'title', new.title,
                       'data', new.data, 'created_at', new.created_at),
    'notification', 'user:' || new.user_id, true);
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.refuse_suppressed_mail()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  suppressed private.mail_suppressions;
begin
  select * into suppressed from private.mail_suppressions s where s.email = new.recipient;
  if found then
    new.status := 'dead';
    new.dead_at := now();
    new.last_error := 'SUPPRESSED: ' || suppressed.reason;
  end if;
  return new;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.run_reminders(as_of timestamp with time zone DEFAULT now(), org_ids uuid[] DEFAULT NULL::uuid[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  k private.notification_kinds;
  due record;
  fired integer := 0;
begin
  for k in select * from private.notification_kinds nk where nk.source is not null order by nk.name loop
    for due in
      execute format(
        'select s.org_id, s.item_id, s.item, s.due_on, s.today, w.lead_days
         from %s($1, $3) s
         cross join lateral (
           select min(d) as lead_days from unnest(coalesce(s.lead_days, $2)) d where d >= s.due_on - s.today
         ) w
         where w.lead_days is not null', k.source)
      using as_of, k.default_lead_days, org_ids
    loop
      begin
        insert into private.reminder_firings (kind, item_id, due_on, lead_days, org_id, fired_on)
        values (k.name, due.item_id, due.due_on, due.lead_days, due.org_id, due.today)
        on conflict on constraint reminder_firings_pkey do nothing;
        if found then
          perform private.notify(
            k.name, due.org_id, due.item,
            jsonb_build_object('item_id', due.item_id, 'due_on', due.due_on, 'lead_days', due.lead_days,
                               'days_left', due.due_on - due.today),
            '{}', null, as_of);
          fired := fired + 1;
        end if;
      exception when others then
        raise warning 'reminder % of % (organization %) failed: % %', k.name, due.item_id, due.org_id, sqlstate, sqlerrm;
      end;
    end loop;
  end loop;
  return fired;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.send_announcement(segment text, subject text, body text, locale locale, per_minute integer)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  sender uuid := private.require_platform_admin();
  announcement_id uuid;
  recipient record;
  outbox_id uuid;
  n integer := 0;
begin
  perform private.check_announcement(subject, body);
  if per_minute is null or per_minute not between 1 and 6000 then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'per_minute: 1 to 6000.';
  end if;
  insert into private.announcements (segment, locale, subject, body, per_minute, sent_by)
  values (segment, locale, btrim(subject), btrim(body), per_minute, sender)
  returning id into announcement_id;
  for recipient in select * from private.announcement_audience(segment, locale) loop
    outbox_id := private.enqueue_mail(
      'announcement', recipient.email, recipient.locale,
      jsonb_build_object('subject', btrim(subject), 'body', btrim(body), 'announcement_id', announcement_id,
                         'unsubscribe_token', private.unsubscribe_token(recipient.user_id, 'announcement')));
    update private.mail_outbox m set next_attempt_at = now() + make_interval(secs => 60.0 * n / per_minute)
    where m.id = outbox_id and n > 0;
    n := n + 1;
  end loop;
  update private.announcements a set recipients = n where a.id = announcement_id;
  return announcement_id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.send_digests(as_of timestamp with time zone DEFAULT now(), user_ids uuid[] DEFAULT NULL::uuid[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  pending record;
  period_start timestamptz;
  lines text;
  items integer;
  written integer := 0;
begin
  for pending in
    select d.user_id, d.frequency, u.email, coalesce(p.locale, 'en')::text as locale, coalesce(s.digest_hour, 8) as digest_hour,
           coalesce(s.time_zone, (select o.time_zone from private.digest_items d2 join public.organizations o on o.id = d2.org_id
                                  where d2.user_id = d.user_id and d2.sent_at is null order by d2.created_at desc limit 1)) as time_zone
    from private.digest_items d
    join auth.users u on u.id = d.user_id
    left join public.profiles p on p.user_id = d.user_id
    left join public.notification_settings s on s.user_id = d.user_id
    where d.sent_at is null and (user_ids is null or d.user_id = any (user_ids))
    group by d.user_id, d.frequency, u.email, p.locale, s.digest_hour, s.time_zone
  loop
    period_start := (date_trunc(case pending.frequency when 'daily' then 'day' else 'week' end,
                                as_of at time zone pending.time_zone)
                     + make_interval(hours => pending.digest_hour)) at time zone pending.time_zone;
    if period_start > as_of then
      period_start := period_start - case pending.frequency when 'daily' then interval '1 day' else interval '7 days' end;
    end if;
    with sent as (
      update private.digest_items d set sent_at = as_of
      where d.user_id = pending.user_id and d.frequency = pending.frequency and d.sent_at is null
        and d.created_at < period_start
      returning d.title, d.org_id, d.created_at
    )
    select string_agg('• ' || sent.title || ' (' || o.name || ')', E'\n' order by sent.created_at), count(*)
    into lines, items
    from sent join public.organizations o on o.id = sent.org_id;
    if items > 0 then
      perform private.enqueue_mail(
        'digest', pending.email, pending.locale::public.locale,
        jsonb_build_object('items', lines, 'count', items, 'frequency', pending.frequency,
                           'unsubscribe_token', private.unsubscribe_token(pending.user_id, 'digest')));
      written := written + 1;
    end if;
  end loop;
  return written;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.suppress_address(email text, reason text, provider_event_id text DEFAULT NULL::text)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  address text := lower(btrim(email));
begin
  insert into private.mail_suppressions (email, reason, provider_event_id)
  values (address, suppress_address.reason, suppress_address.provider_event_id)
  on conflict on constraint mail_suppressions_pkey do nothing;
  if not found then
    return false;
  end if;
  update private.mail_outbox m
  set status = 'dead', dead_at = now(), locked_until = null, last_error = 'SUPPRESSED: ' || suppress_address.reason
  where m.recipient = address and m.status = 'pending';
  return true;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.trial_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select o.id, o.id, o.name, (s.trial_ends_at at time zone o.time_zone)::date, null::smallint[], t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.subscriptions s on s.org_id = o.id and s.status = 'trialing'
  where (org_ids is null or o.id = any (org_ids))
    and (s.trial_ends_at at time zone o.time_zone)::date between t.today and t.today + 366;
$function$
;

CREATE OR REPLACE FUNCTION private.unsubscribe(token text)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  parts text[] := string_to_array(coalesce(token, ''), '.');
  target_user uuid;
  target_kind text;
begin
  if cardinality(parts) <> 3 or parts[1] !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or private.unsubscribe_token(parts[1]::uuid, parts[2]) is distinct from token then
    raise sqlstate 'PT400' using message = 'UNSUBSCRIBE_TOKEN_INVALID', detail = 'The unsubscribe link is not valid.';
  end if;
  target_user := parts[1]::uuid;
  target_kind := parts[2];
  if not exists (select from auth.users u where u.id = target_user) then
    return target_kind;
  end if;
  insert into public.notification_preferences (user_id, kind, in_app, email)
  select target_user, k.name, c.in_app, 'off'
  from private.notification_kinds k
  cross join lateral private.effective_channels(target_user, k.name) c
  where (target_kind = 'digest' and c.email in ('daily', 'weekly')) or k.name = target_kind
  on conflict on constraint notification_preferences_pkey do update set email = 'off';
  -- Nothing waits in a digest for kinds that are no longer mailed.
  update private.digest_items d set sent_at = now()
  where d.user_id = target_user and d.sent_at is null and (target_kind = 'digest' or d.kind = target_kind);
  return target_kind;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.unsubscribe_token(user_id uuid, kind text)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select user_id::text || '.' || kind || '.'
    || encode(extensions.hmac(convert_to(user_id::text || '.' || kind, 'UTF8'), k.key, 'sha256'), 'hex')
  from private.unsubscribe_keys k;
$function$
;

CREATE OR REPLACE FUNCTION private.warranty_reminders(as_of timestamp with time zone, org_ids uuid[])
 RETURNS TABLE(org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select w.org_id, w.id, w.product, w.ends_on, w.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.warranties w on w.org_id = o.id and w.deleted_at is null
  where (org_ids is null or o.id = any (org_ids))
    and w.ends_on between t.today and t.today + 366;
$function$
;

CREATE OR REPLACE FUNCTION public.mark_notifications_read(ids uuid[] DEFAULT NULL::uuid[])
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  with marked as (
    update public.notifications n set read_at = now()
    where n.user_id = (select auth.uid()) and n.read_at is null and (ids is null or n.id = any (ids))
    returning 1
  )
  select count(*)::integer from marked;
$function$
;

CREATE OR REPLACE FUNCTION public.my_notification_channels()
 RETURNS TABLE(kind text, in_app boolean, email text, is_default boolean)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select * from private.notification_channels();
$function$
;

CREATE OR REPLACE FUNCTION public.preview_announcement(segment text, subject text, body text, locale locale DEFAULT NULL::locale)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select private.preview_announcement(segment, subject, body, locale);
$function$
;

CREATE OR REPLACE FUNCTION public.send_announcement(segment text, subject text, body text, locale locale DEFAULT NULL::locale, per_minute integer DEFAULT 60)
 RETURNS uuid
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select private.send_announcement(segment, subject, body, locale, per_minute);
$function$
;

CREATE OR REPLACE FUNCTION public.set_notification_channels(kind text, in_app boolean, email text)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if in_app is null or email is null or email not in ('off', 'now', 'daily', 'weekly') then
    raise sqlstate 'PT400' using message = 'NOTIFICATION_CHANNEL_INVALID', detail = 'in_app: true or false; email: off, now, daily or weekly.';
  end if;
  insert into public.notification_preferences as p (user_id, kind, in_app, email)
  values ((select auth.uid()), set_notification_channels.kind, set_notification_channels.in_app, set_notification_channels.email)
  on conflict on constraint notification_preferences_pkey
  do update set in_app = excluded.in_app, email = excluded.email;
exception when foreign_key_violation then
  raise sqlstate 'PT400' using message = 'NOTIFICATION_KIND_UNKNOWN', detail = format('No notification kind %s.', kind);
end;
$function$
;

CREATE OR REPLACE FUNCTION public.unread_notification_count()
 RETURNS integer
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select count(*)::integer from public.notifications n where n.user_id = (select auth.uid()) and n.read_at is null;
$function$
;

CREATE OR REPLACE FUNCTION private.can_receive_topic(topic text)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  -- A user's own topic (their notifications, 15_notifications).
  if topic = 'user:' || auth.uid()::text then
    return true;
  end if;
  if topic is null or topic !~ '^org:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return private.has_org_role(substr(topic, 5)::uuid, 'viewer');
end;
$function$
;

CREATE OR REPLACE FUNCTION private.mail_export_ready()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  file_name text := regexp_replace(new.result ->> 'path', '^.*/', '');
begin
  -- A notification of kind export_ready (15_notifications): in the app and by mail, as each
  -- recipient chose.
  perform private.notify(
    'export_ready', new.org_id, file_name,
    jsonb_build_object('job_id', new.id, 'file_name', file_name, 'expires_at', new.finished_at + interval '7 days'),
    '{}',
    case when new.requested_by is not null then array[new.requested_by]
         else array(select m.user_id from public.memberships m where m.org_id = new.org_id and m.role = 'owner') end);
  return null;
end;
$function$
;

grant delete on table "public"."notification_preferences" to "authenticated";

grant insert on table "public"."notification_preferences" to "authenticated";

grant select on table "public"."notification_preferences" to "authenticated";

grant delete on table "public"."notification_preferences" to "service_role";

grant insert on table "public"."notification_preferences" to "service_role";

grant references on table "public"."notification_preferences" to "service_role";

grant select on table "public"."notification_preferences" to "service_role";

grant trigger on table "public"."notification_preferences" to "service_role";

grant truncate on table "public"."notification_preferences" to "service_role";

grant update on table "public"."notification_preferences" to "service_role";

grant delete on table "public"."notification_settings" to "authenticated";

grant insert on table "public"."notification_settings" to "authenticated";

grant select on table "public"."notification_settings" to "authenticated";

grant delete on table "public"."notification_settings" to "service_role";

grant insert on table "public"."notification_settings" to "service_role";

grant references on table "public"."notification_settings" to "service_role";

grant select on table "public"."notification_settings" to "service_role";

grant trigger on table "public"."notification_settings" to "service_role";

grant truncate on table "public"."notification_settings" to "service_role";

grant update on table "public"."notification_settings" to "service_role";

grant select on table "public"."notifications" to "authenticated";

grant delete on table "public"."notifications" to "service_role";

grant insert on table "public"."notifications" to "service_role";

grant references on table "public"."notifications" to "service_role";

grant select on table "public"."notifications" to "service_role";

grant trigger on table "public"."notifications" to "service_role";

grant truncate on table "public"."notifications" to "service_role";

grant update on table "public"."notifications" to "service_role";


  create policy "users add their notification preferences"
  on "public"."notification_preferences"
  as permissive
  for insert
  to authenticated
with check ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users change their notification preferences"
  on "public"."notification_preferences"
  as permissive
  for update
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)))
with check ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users read their notification preferences"
  on "public"."notification_preferences"
  as permissive
  for select
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users remove their notification preferences"
  on "public"."notification_preferences"
  as permissive
  for delete
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users add their notification settings"
  on "public"."notification_settings"
  as permissive
  for insert
  to authenticated
with check ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users change their notification settings"
  on "public"."notification_settings"
  as permissive
  for update
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)))
with check ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users read their notification settings"
  on "public"."notification_settings"
  as permissive
  for select
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users remove their notification settings"
  on "public"."notification_settings"
  as permissive
  for delete
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users mark their notifications read"
  on "public"."notifications"
  as permissive
  for update
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)))
with check ((user_id = ( SELECT auth.uid() AS uid)));



  create policy "users read their notifications"
  on "public"."notifications"
  as permissive
  for select
  to authenticated
using ((user_id = ( SELECT auth.uid() AS uid)));


CREATE TRIGGER mail_welcome_on_confirm AFTER UPDATE OF email_confirmed_at ON auth.users FOR EACH ROW WHEN (((old.email_confirmed_at IS NULL) AND (new.email_confirmed_at IS NOT NULL) AND (new.email IS NOT NULL))) EXECUTE FUNCTION private.mail_welcome();

CREATE TRIGGER mail_welcome_on_create AFTER INSERT ON auth.users FOR EACH ROW WHEN (((new.email_confirmed_at IS NOT NULL) AND (new.email IS NOT NULL))) EXECUTE FUNCTION private.mail_welcome();

CREATE TRIGGER notify_billing_notice AFTER INSERT ON private.billing_notices FOR EACH ROW EXECUTE FUNCTION private.notify_billing_notice();

CREATE TRIGGER refuse_suppressed_mail BEFORE INSERT ON private.mail_outbox FOR EACH ROW EXECUTE FUNCTION private.refuse_suppressed_mail();

CREATE TRIGGER notify_invitation AFTER INSERT ON public.invitations FOR EACH ROW EXECUTE FUNCTION private.notify_invitation();

CREATE TRIGGER notify_invoice_paid AFTER INSERT ON public.invoices FOR EACH ROW WHEN (((new.status = 'paid'::text) AND (new.amount_paid > 0))) EXECUTE FUNCTION private.notify_invoice_paid();

CREATE TRIGGER notify_invoice_paid_later AFTER UPDATE OF status ON public.invoices FOR EACH ROW WHEN (((new.status = 'paid'::text) AND (old.status <> 'paid'::text) AND (new.amount_paid > 0))) EXECUTE FUNCTION private.notify_invoice_paid();

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON public.notification_preferences FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON public.notification_settings FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();

CREATE TRIGGER push_notification AFTER INSERT ON public.notifications FOR EACH ROW EXECUTE FUNCTION private.push_notification();

comment on function admin.unsuppress_address(pg_catalog.text) is 'Lets mail go to an address again; false when it was not suppressed.';
comment on function private.after_quiet_hours(time without time zone,time without time zone,pg_catalog.text,timestamp with time zone) is 'The instant an email written at as_of may be sent: as_of, or the end of the quiet hours it falls in.';
comment on function private.effective_channels(pg_catalog.uuid,pg_catalog.text) is 'A user''s channels for a kind: their choice for it, else their profile''s general choice, else the platform''s defaults, else the kind''s.';
comment on function private.lead_days_are_valid(smallint[]) is 'Lead times: at most 6 days, each 0 to 366.';
comment on function private.mail_export_ready() is 'Tells who asked for an export (the owners, for a scheduled report) that it is ready: notification kind export_ready.';
comment on function private.mail_welcome() is 'Mails a welcome to a user whose address was just confirmed.';
comment on function private.notify(pg_catalog.text,pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,pg_catalog.jsonb,pg_catalog.uuid[],timestamp with time zone) is 'Tells an organization''s users (or the given ones) about one thing on the channels each chose: in-app, email now (after quiet hours), or a digest.';
comment on function private.notify_billing_notice() is 'Tells an organization''s admins of a billing notice (credits_low, payment_failed) and marks it handled.';
comment on function private.notify_invitation() is 'Shows an invitation in the app of the invited user, when they have an account.';
comment on function private.notify_invoice_paid() is 'Sends the receipt of a paid invoice to the organization''s owners (kind payment_receipt).';
comment on function private.purge_notifications(timestamp with time zone) is 'Removes notifications older than 180 days, sent digest items older than 30 days and reminder keys a year past due (pg_cron daily).';
comment on function private.push_notification() is 'Broadcasts a new in-app notification to its user''s private topic user:<user_id> (event notification).';
comment on function private.refuse_suppressed_mail() is 'Writes a mail to a suppressed address dead at once (last_error SUPPRESSED: <reason>).';
comment on function private.run_reminders(timestamp with time zone,pg_catalog.uuid[]) is 'Fires the reminder windows due at as_of in each organization''s time zone, once each, and tells the users (pg_cron every 15 minutes).';
comment on function private.send_digests(timestamp with time zone,pg_catalog.uuid[]) is 'Mails each user''s daily or weekly digest of what waited for it, once per period (pg_cron every 15 minutes).';
comment on function private.suppress_address(pg_catalog.text,pg_catalog.text,pg_catalog.text) is 'Adds an address to the suppression list (bounce, complaint, manual) and gives up its waiting mail; false when it was already there.';
comment on function private.unsubscribe(pg_catalog.text) is 'Honours an unsubscribe link: email off for the token''s user and kind (digest: all digest kinds); UNSUBSCRIBE_TOKEN_INVALID when forged.';
comment on function private.unsubscribe_token(pg_catalog.uuid,pg_catalog.text) is 'The signed token of a user''s unsubscribe link for one kind (or digest).';
comment on function public.mark_notifications_read(pg_catalog.uuid[]) is 'Marks the caller''s notifications read: those given, or all; answers how many changed.';
comment on function public.my_notification_channels() is 'Each notification kind with the caller''s channels (in_app; email off, now, daily or weekly) and whether they are defaults (no choice of their own for the kind).';
comment on function public.preview_announcement(pg_catalog.text,pg_catalog.text,pg_catalog.text,public.locale) is 'Platform admins: how many users a segment message reaches (all, trialing, language with a locale), by language, the first ten addresses.';
comment on function public.send_announcement(pg_catalog.text,pg_catalog.text,pg_catalog.text,public.locale,integer) is 'Platform admins: sends a message to a segment (all, trialing, language with a locale), per_minute mails a minute through the outbox; answers its id.';
comment on function public.set_notification_channels(pg_catalog.text,boolean,pg_catalog.text) is 'Sets the caller''s channels for a kind: in_app, and email off, now, daily or weekly.';
comment on function public.unread_notification_count() is 'How many of the caller''s in-app notifications are unread.';
comment on column public.contracts.reminder_days is 'Days before the notice deadline and the end on which reminders fire; null: the platform default (30, 7, 1).';
comment on column public.insurances.reminder_days is 'Days before the renewal on which reminders fire; null: the platform default.';
comment on column public.maintenance_tasks.reminder_days is 'Days before the task is due on which reminders fire; null: the platform default.';
comment on column public.warranties.reminder_days is 'Days before the warranty ends on which reminders fire; null: the platform default.';
comment on table private.announcements is 'Messages platform admins sent to a segment of users, with how many it went to.';
comment on table private.digest_items is 'Notifications a user gets by email in a daily or weekly digest, until the digest is sent.';
comment on table private.mail_suppressions is 'Addresses that bounced or complained (from the provider''s webhook) or an operator suppressed: no application mail is sent to them.';
comment on table private.mail_templates is 'Names of the mail templates mail-send renders (one MJML and JSON each); private.mail_outbox.template refers to it.';
comment on table private.notification_kinds is 'Kinds of notification: date-computed (source) or event-raised, their template, audience, default channels and lead days, and titles per language.';
comment on table private.reminder_firings is 'The reminder windows that have fired, one row each (kind, item, due day, lead days): a window never fires twice.';
comment on table private.unsubscribe_keys is 'The one key that signs unsubscribe tokens (made when the schema is built).';
comment on table public.notification_preferences is 'A user''s channels per notification kind (in the app; email now, daily, weekly or off); kinds without a row follow the platform default. my_notification_channels() shows both.';
comment on table public.notification_settings is 'A user''s quiet hours (from, until; may wrap midnight), time zone (null: the organization''s) and digest hour.';
comment on table public.notifications is 'In-app notifications: only their user reads them (and sets read_at); pushed live on the private topic user:<user_id>.';
comment on view admin.mail_suppressions is 'Addresses no application mail goes to; admin.unsuppress_address removes one (after the person fixed their mailbox).';

revoke all on function admin.unsuppress_address(text) from public, anon, authenticated, service_role;
revoke all on function private.after_quiet_hours(time without time zone,time without time zone,text,timestamp with time zone) from public, anon, authenticated, service_role;
revoke all on function private.announcement_audience(text,public.locale) from public, anon, authenticated, service_role;
revoke all on function private.check_announcement(text,text) from public, anon, authenticated, service_role;
revoke all on function private.contract_end_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.contract_notice_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.effective_channels(uuid,text) from public, anon, authenticated, service_role;
revoke all on function private.insurance_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.lead_days_are_valid(smallint[]) from public, anon, authenticated, service_role;
grant execute on function private.lead_days_are_valid(smallint[]) to authenticated, service_role;
revoke all on function private.mail_welcome() from public, anon, authenticated, service_role;
revoke all on function private.maintenance_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.notification_channels() from public, anon, authenticated, service_role;
grant execute on function private.notification_channels() to authenticated;
revoke all on function private.notify(text,uuid,text,jsonb,jsonb,uuid[],timestamp with time zone) from public, anon, authenticated, service_role;
revoke all on function private.notify_billing_notice() from public, anon, authenticated, service_role;
revoke all on function private.notify_invitation() from public, anon, authenticated, service_role;
revoke all on function private.notify_invoice_paid() from public, anon, authenticated, service_role;
revoke all on function private.preview_announcement(text,text,text,public.locale) from public, anon, authenticated, service_role;
grant execute on function private.preview_announcement(text,text,text,public.locale) to authenticated;
revoke all on function private.purge_notifications(timestamp with time zone) from public, anon, authenticated, service_role;
revoke all on function private.push_notification() from public, anon, authenticated, service_role;
revoke all on function private.refuse_suppressed_mail() from public, anon, authenticated, service_role;
revoke all on function private.run_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.send_announcement(text,text,text,public.locale,integer) from public, anon, authenticated, service_role;
grant execute on function private.send_announcement(text,text,text,public.locale,integer) to authenticated;
revoke all on function private.send_digests(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.suppress_address(text,text,text) from public, anon, authenticated, service_role;
revoke all on function private.trial_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function private.unsubscribe(text) from public, anon, authenticated, service_role;
revoke all on function private.unsubscribe_token(uuid,text) from public, anon, authenticated, service_role;
revoke all on function private.warranty_reminders(timestamp with time zone,uuid[]) from public, anon, authenticated, service_role;
revoke all on function public.mark_notifications_read(uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.mark_notifications_read(uuid[]) to authenticated, service_role;
revoke all on function public.my_notification_channels() from public, anon, authenticated, service_role;
grant execute on function public.my_notification_channels() to authenticated, service_role;
revoke all on function public.preview_announcement(text,text,text,public.locale) from public, anon, authenticated, service_role;
grant execute on function public.preview_announcement(text,text,text,public.locale) to authenticated, service_role;
revoke all on function public.send_announcement(text,text,text,public.locale,integer) from public, anon, authenticated, service_role;
grant execute on function public.send_announcement(text,text,text,public.locale,integer) to authenticated, service_role;
revoke all on function public.set_notification_channels(text,boolean,text) from public, anon, authenticated, service_role;
grant execute on function public.set_notification_channels(text,boolean,text) to authenticated, service_role;
revoke all on function public.unread_notification_count() from public, anon, authenticated, service_role;
grant execute on function public.unread_notification_count() to authenticated, service_role;

select cron.schedule('notifications-digests', '*/15 * * * *', 'select private.send_digests()');
select cron.schedule('notifications-purge', '17 3 * * *', 'select private.purge_notifications()');
select cron.schedule('notifications-reminders', '*/15 * * * *', 'select private.run_reminders()');

-- Column grants, which the diff leaves out.
grant update (in_app, email) on public.notification_preferences to authenticated;
grant update (quiet_from, quiet_until, time_zone, digest_hour) on public.notification_settings to authenticated;
grant update (read_at) on public.notifications to authenticated;

-- Rows a diff does not see: the kinds (their sources exist by now) and the unsubscribe key.
insert into private.notification_kinds
  (name, module, source, template, audience, default_in_app, default_email, default_lead_days, titles)
values
  ('contract_notice', 'contracts', 'private.contract_notice_reminders', 'reminder', 'member', true, 'now', '{30,7,1}',
   '{"en": "Give notice on {{item}} by {{due_on}}", "sv": "Säg upp {{item}} senast {{due_on}}",
     "nb": "Si opp {{item}} innen {{due_on}}", "da": "Opsig {{item}} senest {{due_on}}",
     "fi": "Irtisano {{item}} viimeistään {{due_on}}", "de": "{{item}} bis {{due_on}} kündigen"}'),
  ('contract_end', 'contracts', 'private.contract_end_reminders', 'reminder', 'member', true, 'now', '{30,7}',
   '{"en": "{{item}} ends on {{due_on}}", "sv": "{{item}} upphör {{due_on}}", "nb": "{{item}} avsluttes {{due_on}}",
     "da": "{{item}} ophører {{due_on}}", "fi": "{{item}} päättyy {{due_on}}", "de": "{{item}} endet am {{due_on}}"}'),
  ('warranty_expiring', 'home', 'private.warranty_reminders', 'reminder', 'member', true, 'weekly', '{30,7}',
   '{"en": "The warranty of {{item}} ends on {{due_on}}", "sv": "Garantin för {{item}} går ut {{due_on}}",
     "nb": "Garantien for {{item}} utløper {{due_on}}", "da": "Garantien for {{item}} udløber {{due_on}}",
     "fi": "Tuotteen {{item}} takuu päättyy {{due_on}}", "de": "Die Garantie für {{item}} endet am {{due_on}}"}'),
  ('insurance_renewal', 'home', 'private.insurance_reminders', 'reminder', 'member', true, 'now', '{30,7}',
   '{"en": "{{item}} renews on {{due_on}}", "sv": "{{item}} förnyas {{due_on}}", "nb": "{{item}} fornyes {{due_on}}",
     "da": "{{item}} fornyes {{due_on}}", "fi": "{{item}} uusiutuu {{due_on}}", "de": "{{item}} verlängert sich am {{due_on}}"}'),
  ('maintenance_due', 'home', 'private.maintenance_reminders', 'reminder', 'member', true, 'daily', '{7,0}',
   '{"en": "{{item}} is due on {{due_on}}", "sv": "{{item}} ska göras {{due_on}}", "nb": "{{item}} skal gjøres {{due_on}}",
     "da": "{{item}} skal gøres {{due_on}}", "fi": "{{item}} erääntyy {{due_on}}", "de": "{{item}} ist am {{due_on}} fällig"}'),
  ('trial_ending', 'billing', 'private.trial_reminders', 'reminder', 'owner', true, 'now', '{7,1}',
   '{"en": "The trial of {{item}} ends on {{due_on}}", "sv": "Provperioden för {{item}} slutar {{due_on}}",
     "nb": "Prøveperioden for {{item}} slutter {{due_on}}", "da": "Prøveperioden for {{item}} slutter {{due_on}}",
     "fi": "Kohteen {{item}} kokeilujakso päättyy {{due_on}}", "de": "Die Testphase von {{item}} endet am {{due_on}}"}'),
  ('payment_failed', 'billing', null, 'payment_failed', 'owner', true, 'now', '{}',
   '{"en": "A payment for {{item}} failed", "sv": "En betalning för {{item}} misslyckades",
     "nb": "En betaling for {{item}} mislyktes", "da": "En betaling for {{item}} mislykkedes",
     "fi": "Kohteen {{item}} maksu epäonnistui", "de": "Eine Zahlung für {{item}} ist fehlgeschlagen"}'),
  ('payment_receipt', 'billing', null, 'payment_receipt', 'owner', true, 'now', '{}',
   '{"en": "Payment received for {{item}}", "sv": "Betalning mottagen för {{item}}", "nb": "Betaling mottatt for {{item}}",
     "da": "Betaling modtaget for {{item}}", "fi": "Maksu vastaanotettu: {{item}}", "de": "Zahlung für {{item}} erhalten"}'),
  ('credits_low', 'billing', null, 'reminder', 'admin', true, 'now', '{}',
   '{"en": "{{item}} is running low on credits", "sv": "{{item}} har snart slut på krediter",
     "nb": "{{item}} har snart brukt opp kredittene", "da": "{{item}} er ved at løbe tør for kreditter",
     "fi": "Kohteen {{item}} krediitit ovat vähissä", "de": "{{item}} hat kaum noch Guthaben"}'),
  ('export_ready', 'exports', null, 'export_ready', 'viewer', true, 'now', '{}',
   '{"en": "{{item}} is ready to download", "sv": "{{item}} är klar att hämta", "nb": "{{item}} er klar til nedlasting",
     "da": "{{item}} er klar til at hente", "fi": "{{item}} on valmis ladattavaksi", "de": "{{item}} ist zum Herunterladen bereit"}'),
  ('announcement', 'notifications', null, 'announcement', 'viewer', false, 'now', '{}',
   '{"en": "{{item}}"}'),
  ('invitation', 'tenancy', null, 'invitation', 'viewer', true, 'off', '{}',
   '{"en": "You are invited to {{item}}", "sv": "Du är inbjuden till {{item}}", "nb": "Du er invitert til {{item}}",
     "da": "Du er inviteret til {{item}}", "fi": "Sinut on kutsuttu: {{item}}", "de": "Du bist zu {{item}} eingeladen"}');

insert into private.unsubscribe_keys default values;
