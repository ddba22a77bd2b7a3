-- Segment messages are sent by a job (notifications.announce) in bounded pages, each user once,
-- mails given throttled slots, instead of one transaction writing every recipient's mail.
-- Touches: private.announcements (counts, job), private.announcement_deliveries (new),
-- preview_announcement, send_announcement (page_size), send_announcement_page, announcement_status.

drop function if exists "private"."announcement_audience"(segment text, language locale);

drop function if exists "private"."send_announcement"(segment text, subject text, body text, locale locale, per_minute integer);

drop function if exists "public"."send_announcement"(segment text, subject text, body text, locale locale, per_minute integer);


  create table "private"."announcement_deliveries" (
    "announcement_id" uuid not null,
    "user_id" uuid not null,
    "outcome" text not null,
    "outbox_id" uuid,
    "send_at" timestamp with time zone
      );


alter table "private"."announcement_deliveries" enable row level security;

alter table "private"."announcements" drop column "recipients";

alter table "private"."announcements" add column "audience" integer not null default 0;

alter table "private"."announcements" add column "finished_at" timestamp with time zone;

alter table "private"."announcements" add column "job_id" uuid;

alter table "private"."announcements" add column "next_send_at" timestamp with time zone;

alter table "private"."announcements" add column "opted_out" integer not null default 0;

alter table "private"."announcements" add column "sent" integer not null default 0;

alter table "private"."announcements" add column "suppressed" integer not null default 0;

CREATE UNIQUE INDEX announcement_deliveries_pkey ON private.announcement_deliveries USING btree (announcement_id, user_id);

CREATE INDEX announcement_deliveries_user_id_idx ON private.announcement_deliveries USING btree (user_id);

CREATE INDEX announcements_job_id_idx ON private.announcements USING btree (job_id);

alter table "private"."announcement_deliveries" add constraint "announcement_deliveries_pkey" PRIMARY KEY using index "announcement_deliveries_pkey";

alter table "private"."announcement_deliveries" add constraint "announcement_deliveries_announcement_id_fkey" FOREIGN KEY (announcement_id) REFERENCES private.announcements(id) ON DELETE CASCADE not valid;

alter table "private"."announcement_deliveries" validate constraint "announcement_deliveries_announcement_id_fkey";

alter table "private"."announcement_deliveries" add constraint "announcement_deliveries_outcome_check" CHECK ((outcome = ANY (ARRAY['sent'::text, 'opted_out'::text, 'suppressed'::text]))) not valid;

alter table "private"."announcement_deliveries" validate constraint "announcement_deliveries_outcome_check";

alter table "private"."announcement_deliveries" add constraint "announcement_deliveries_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "private"."announcement_deliveries" validate constraint "announcement_deliveries_user_id_fkey";

alter table "private"."announcements" add constraint "announcements_audience_check" CHECK ((audience >= 0)) not valid;

alter table "private"."announcements" validate constraint "announcements_audience_check";

alter table "private"."announcements" add constraint "announcements_job_id_fkey" FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE SET NULL not valid;

alter table "private"."announcements" validate constraint "announcements_job_id_fkey";

alter table "private"."announcements" add constraint "announcements_opted_out_check" CHECK ((opted_out >= 0)) not valid;

alter table "private"."announcements" validate constraint "announcements_opted_out_check";

alter table "private"."announcements" add constraint "announcements_sent_check" CHECK ((sent >= 0)) not valid;

alter table "private"."announcements" validate constraint "announcements_sent_check";

alter table "private"."announcements" add constraint "announcements_suppressed_check" CHECK ((suppressed >= 0)) not valid;

alter table "private"."announcements" validate constraint "announcements_suppressed_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.announcement_audience(segment text, language locale, after uuid DEFAULT NULL::uuid, page_size integer DEFAULT NULL::integer)
 RETURNS TABLE(user_id uuid, email text, locale locale, in_app boolean, email_channel text, suppressed boolean)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
begin
  perform private.check_announcement_segment(segment, language);
  return query
    select u.id, lower(u.email)::text, coalesce(p.locale, 'en'::public.locale), c.in_app, c.email,
           exists (select from private.mail_suppressions s where s.email = lower(u.email))
    from auth.users u
    left join public.profiles p on p.user_id = u.id
    cross join lateral private.effective_channels(u.id, 'announcement') c
    where u.email_confirmed_at is not null and u.email is not null
      and (announcement_audience.after is null or u.id > announcement_audience.after)
      and private.in_announcement_segment(u.id, p.locale, announcement_audience.segment, announcement_audience.language)
    order by u.id
    limit announcement_audience.page_size;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.announcement_status(announcement_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  result jsonb;
begin
  perform private.require_platform_admin();
  select jsonb_build_object(
    'id', a.id, 'segment', a.segment, 'locale', a.locale, 'subject', a.subject, 'per_minute', a.per_minute,
    'job_id', a.job_id, 'status', j.status, 'progress', coalesce(j.progress, case when a.finished_at is not null then 1 else 0 end),
    'audience', a.audience, 'examined', a.sent + a.opted_out + a.suppressed, 'sent', a.sent, 'opted_out', a.opted_out, 'suppressed', a.suppressed,
    'last_send_at', (select max(d.send_at) from private.announcement_deliveries d where d.announcement_id = a.id),
    'created_at', a.created_at, 'finished_at', a.finished_at)
  into result
  from private.announcements a
  left join public.jobs j on j.id = a.job_id
  where a.id = announcement_status.announcement_id;
  if result is null then
    raise sqlstate 'PT404' using message = 'ANNOUNCEMENT_NOT_FOUND', detail = 'No announcement with this id.';
  end if;
  return result;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.check_announcement_segment(segment text, language locale)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
begin
  if segment is null or segment not in ('all', 'trialing', 'language') or ((segment = 'language') <> (language is not null)) then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'segment: all, trialing, or language with a locale.';
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.in_announcement_segment(user_id uuid, user_locale locale, segment text, language locale)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select case segment
    when 'all' then true
    when 'language' then coalesce(user_locale, 'en') = language
    else exists (select from public.memberships m join public.subscriptions s on s.org_id = m.org_id
                 where m.user_id = in_announcement_segment.user_id and s.status = 'trialing')
  end;
$function$
;

CREATE OR REPLACE FUNCTION private.send_announcement(segment text, subject text, body text, locale locale, per_minute integer, page_size integer)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  sender uuid := private.require_platform_admin();
  sender_org uuid;
  announcement private.announcements;
  job public.jobs;
begin
  perform private.check_announcement(subject, body);
  if per_minute is null or per_minute not between 1 and 6000 or page_size is null or page_size not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'per_minute: 1 to 6000; page_size: 1 to 1000.';
  end if;
  select m.org_id into sender_org from public.memberships m where m.user_id = sender order by m.created_at, m.org_id limit 1;
  if sender_org is null then
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'The job sending an announcement runs in an organization of the sender''s; you have none.';
  end if;
  perform private.check_announcement_segment(send_announcement.segment, send_announcement.locale);
  -- Only who is in the segment: channels and suppressions are read page by page.
  insert into private.announcements (segment, locale, subject, body, per_minute, sent_by, audience)
  values (send_announcement.segment, send_announcement.locale, btrim(subject), btrim(body), per_minute, sender,
          (select count(*) from auth.users u left join public.profiles p on p.user_id = u.id
           where u.email_confirmed_at is not null and u.email is not null
             and private.in_announcement_segment(u.id, p.locale, send_announcement.segment, send_announcement.locale)))
  returning * into announcement;
  job := private.submit_job(sender_org, 'notifications.announce',
                            jsonb_build_object('announcement_id', announcement.id, 'page_size', page_size),
                            'announcement:' || announcement.id, 'interactive', sender);
  update private.announcements a set job_id = job.id where a.id = announcement.id;
  return announcement.id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.send_announcement_page(announcement_id uuid, job_id uuid, after uuid, page_size integer)
 RETURNS TABLE(last_user_id uuid, page_rows integer, audience integer, sent integer, opted_out integer, suppressed integer)
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  announcement private.announcements;
  recipient record;
  outcome text;
  first_org uuid;
  mail_id uuid;
  slot timestamptz;
  gap interval;
  n integer := 0;
  new_sent integer := 0;
  new_opted_out integer := 0;
  new_suppressed integer := 0;
begin
  select * into announcement from private.announcements a
  where a.id = send_announcement_page.announcement_id and a.job_id = send_announcement_page.job_id
  for update;
  if not found then
    return;
  end if;
  gap := make_interval(secs => 60.0 / announcement.per_minute);
  slot := greatest(coalesce(announcement.next_send_at, now()), now());
  for recipient in
    select * from private.announcement_audience(announcement.segment, announcement.locale, after, page_size)
  loop
    n := n + 1;
    last_user_id := recipient.user_id;
    outcome := case
      when recipient.in_app or (recipient.email_channel <> 'off' and not recipient.suppressed) then 'sent'
      when recipient.email_channel <> 'off' then 'suppressed'
      else 'opted_out'
    end;
    insert into private.announcement_deliveries as d (announcement_id, user_id, outcome)
    values (announcement.id, recipient.user_id, outcome)
    on conflict do nothing;
    if not found then
      continue;
    end if;
    new_sent := new_sent + (outcome = 'sent')::integer;
    new_opted_out := new_opted_out + (outcome = 'opted_out')::integer;
    new_suppressed := new_suppressed + (outcome = 'suppressed')::integer;
    if recipient.email_channel <> 'off' and not recipient.suppressed then
      mail_id := private.enqueue_mail(
        'announcement', recipient.email, recipient.locale,
        jsonb_build_object('subject', announcement.subject, 'body', announcement.body, 'announcement_id', announcement.id,
                           'unsubscribe_token', private.unsubscribe_token(recipient.user_id, 'announcement')));
      update private.mail_outbox m set next_attempt_at = slot where m.id = mail_id;
      update private.announcement_deliveries d set outbox_id = mail_id, send_at = slot
      where d.announcement_id = announcement.id and d.user_id = recipient.user_id;
      slot := slot + gap;
    end if;
    if recipient.in_app then
      select m.org_id into first_org from public.memberships m
      where m.user_id = recipient.user_id order by m.created_at, m.org_id limit 1;
      if first_org is not null then
        insert into public.notifications (org_id, user_id, kind, title, data)
        values (first_org, recipient.user_id, 'announcement', left(announcement.subject, 300),
                jsonb_build_object('announcement_id', announcement.id, 'body', left(announcement.body, 2000)));
      end if;
    end if;
  end loop;
  update private.announcements a
  set sent = a.sent + new_sent, opted_out = a.opted_out + new_opted_out,
      suppressed = a.suppressed + new_suppressed, next_send_at = slot,
      finished_at = case when n < page_size then now() end
  where a.id = announcement.id
  returning a.audience, a.sent, a.opted_out, a.suppressed
  into audience, sent, opted_out, suppressed;
  page_rows := n;
  return next;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.announcement_status(announcement_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select private.announcement_status(announcement_id);
$function$
;

CREATE OR REPLACE FUNCTION public.send_announcement(segment text, subject text, body text, locale locale DEFAULT NULL::locale, per_minute integer DEFAULT 60, page_size integer DEFAULT 200)
 RETURNS uuid
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select private.send_announcement(segment, subject, body, locale, per_minute, page_size);
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
    with audience as (
      select a.*, (a.in_app or (a.email_channel <> 'off' and not a.suppressed)) as reached
      from private.announcement_audience(segment, locale) a
    ), numbered as (
      select a.email, row_number() over (order by a.user_id) as n from audience a where a.reached
    )
    select jsonb_build_object(
      'recipients', (select count(*) from audience a where a.reached),
      'opted_out', (select count(*) from audience a where not a.reached and a.email_channel = 'off'),
      'suppressed', (select count(*) from audience a where not a.reached and a.email_channel <> 'off'),
      'sample', coalesce((select jsonb_agg(x.email order by x.n) from numbered x where x.n <= 10), '[]'),
      'by_language', coalesce((select jsonb_object_agg(l.locale, l.n)
                               from (select a.locale, count(*) as n from audience a where a.reached group by a.locale) l), '{}'),
      'subject', subject, 'body', body)
  );
end;
$function$
;

comment on function private.send_announcement_page(pg_catalog.uuid,pg_catalog.uuid,pg_catalog.uuid,integer) is 'For the notifications.announce job: serves the next page of an announcement''s segment, each user once, mails throttled; answers the counts.';
comment on function public.announcement_status(pg_catalog.uuid) is 'Platform admins: a sent announcement''s job status and progress, and how many users it was sent to, skipped as opted out, or found suppressed.';
comment on function public.preview_announcement(pg_catalog.text,pg_catalog.text,pg_catalog.text,public.locale) is 'Platform admins: how many users a segment message reaches (all, trialing, language with a locale), how many opted out or are suppressed, by language, the first ten addresses.';
comment on function public.send_announcement(pg_catalog.text,pg_catalog.text,pg_catalog.text,public.locale,integer,integer) is 'Platform admins: sends a message to a segment (all, trialing, language with a locale) through a job, per_minute mails a minute; answers its id (announcement_status shows progress).';
comment on table private.announcement_deliveries is 'What each user of a segment got from an announcement (sent, opted out, suppressed), once per announcement and user.';
comment on table private.announcements is 'Messages platform admins sent to a segment of users, the job sending each, and its counts: sent, opted out, suppressed.';

revoke all on function private.announcement_audience(text,public.locale,uuid,integer) from public, anon, authenticated, service_role;
revoke all on function private.announcement_status(uuid) from public, anon, authenticated, service_role;
grant execute on function private.announcement_status(uuid) to authenticated;
revoke all on function private.check_announcement_segment(text,public.locale) from public, anon, authenticated, service_role;
revoke all on function private.in_announcement_segment(uuid,public.locale,text,public.locale) from public, anon, authenticated, service_role;
revoke all on function private.send_announcement(text,text,text,public.locale,integer,integer) from public, anon, authenticated, service_role;
grant execute on function private.send_announcement(text,text,text,public.locale,integer,integer) to authenticated;
revoke all on function private.send_announcement_page(uuid,uuid,uuid,integer) from public, anon, authenticated, service_role;
revoke all on function public.announcement_status(uuid) from public, anon, authenticated, service_role;
grant execute on function public.announcement_status(uuid) to authenticated, service_role;
revoke all on function public.send_announcement(text,text,text,public.locale,integer,integer) from public, anon, authenticated, service_role;
grant execute on function public.send_announcement(text,text,text,public.locale,integer,integer) to authenticated, service_role;
