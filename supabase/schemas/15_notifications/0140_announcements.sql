-- Messages platform admins send to a segment of users: everyone, the members of organizations
-- still in their trial, or the users of one language. Previewed first (who and how many), then
-- sent by a job (notifications.announce, 0145) that pages through the segment in bounded steps,
-- one transaction each, and gives every mail its slot on the mail queue, `per_minute` a minute.
-- The job runs in an organization of the sender's (jobs belong to one), where they watch it.
create table private.announcements (
  id uuid primary key default gen_random_uuid(),
  segment text not null check (segment in ('all', 'trialing', 'language')),
  locale public.locale,
  subject text not null check (length(subject) between 1 and 200),
  body text not null check (length(body) between 1 and 10000),
  per_minute integer not null check (per_minute between 1 and 6000),
  job_id uuid references public.jobs (id) on delete set null,
  -- Confirmed addresses in the segment when it was sent: what progress is measured against.
  audience integer not null default 0 check (audience >= 0),
  -- What the users the job has been through got.
  sent integer not null default 0 check (sent >= 0),
  opted_out integer not null default 0 check (opted_out >= 0),
  suppressed integer not null default 0 check (suppressed >= 0),
  -- The throttle: the instant the next mail may go.
  next_send_at timestamptz,
  sent_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((segment = 'language') = (locale is not null))
);

comment on table private.announcements is
  'Messages platform admins sent to a segment of users, the job sending each, and its counts: sent, opted out, suppressed.';

alter table private.announcements enable row level security;

create index announcements_job_id_idx on private.announcements (job_id);

-- One row per user an announcement reached, written with the user's mail or notification in
-- one transaction: the key makes a step that runs again skip those it already served.
create table private.announcement_deliveries (
  announcement_id uuid not null references private.announcements (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  outcome text not null check (outcome in ('sent', 'opted_out', 'suppressed')),
  outbox_id uuid,
  send_at timestamptz,
  primary key (announcement_id, user_id)
);

comment on table private.announcement_deliveries is
  'What each user of a segment got from an announcement (sent, opted out, suppressed), once per announcement and user.';

alter table private.announcement_deliveries enable row level security;

create index announcement_deliveries_user_id_idx on private.announcement_deliveries (user_id);

-- Whether a user is in a segment: everyone, the members of an organization in its trial, or
-- those whose language (profiles.locale, English when unset) is `language`. Inlined where used.
create function private.in_announcement_segment(user_id uuid, user_locale public.locale, segment text, language public.locale)
returns boolean
language sql
stable
set search_path = ''
as $$
  select case segment
    when 'all' then true
    when 'language' then coalesce(user_locale, 'en') = language
    else exists (select from public.memberships m join public.subscriptions s on s.org_id = m.org_id
                 where m.user_id = in_announcement_segment.user_id and s.status = 'trialing')
  end;
$$;

create function private.check_announcement_segment(segment text, language public.locale)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if segment is null or segment not in ('all', 'trialing', 'language') or ((segment = 'language') <> (language is not null)) then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'segment: all, trialing, or language with a locale.';
  end if;
end;
$$;

-- A segment's confirmed addresses after `after` in id order (a keyset), at most `page_size`,
-- with the channels each chose for announcements and whether their address is suppressed.
create function private.announcement_audience(
  segment text,
  language public.locale,
  after uuid default null,
  page_size integer default null
)
returns table (user_id uuid, email text, locale public.locale, in_app boolean, email_channel text, suppressed boolean)
language plpgsql
stable
set search_path = ''
as $$
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
$$;

create function private.check_announcement(subject text, body text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if coalesce(length(btrim(subject)), 0) not between 1 and 200 or coalesce(length(btrim(body)), 0) not between 1 and 10000 then
    raise sqlstate 'PT400' using message = 'ANNOUNCEMENT_INVALID', detail = 'subject: 1 to 200 characters; body: 1 to 10000.';
  end if;
end;
$$;

-- What a send would do: how many it reaches, how many opted out or are suppressed, by language,
-- the first addresses and the message.
create function private.preview_announcement(segment text, subject text, body text, locale public.locale)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.preview_announcement(text, text, text, public.locale) to authenticated;

create function public.preview_announcement(segment text, subject text, body text, locale public.locale default null)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.preview_announcement(segment, subject, body, locale);
$$;

comment on function public.preview_announcement(text, text, text, public.locale) is
  'Platform admins: how many users a segment message reaches (all, trialing, language with a locale), how many opted out or are suppressed, by language, the first ten addresses.';

grant execute on function public.preview_announcement(text, text, text, public.locale) to authenticated;

-- Records the announcement and queues its job in the sender's first organization; answers the
-- announcement's id. `page_size` users are handled per step (one transaction each).
create function private.send_announcement(
  segment text,
  subject text,
  body text,
  locale public.locale,
  per_minute integer,
  page_size integer
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.send_announcement(text, text, text, public.locale, integer, integer) to authenticated;

create function public.send_announcement(
  segment text,
  subject text,
  body text,
  locale public.locale default null,
  per_minute integer default 60,
  page_size integer default 200
)
returns uuid
language sql
set search_path = ''
as $$
  select private.send_announcement(segment, subject, body, locale, per_minute, page_size);
$$;

comment on function public.send_announcement(text, text, text, public.locale, integer, integer) is
  'Platform admins: sends a message to a segment (all, trialing, language with a locale) through a job, per_minute mails a minute; answers its id (announcement_status shows progress).';

grant execute on function public.send_announcement(text, text, text, public.locale, integer, integer) to authenticated;

-- One step of the job: the next page of the segment after `after`, each user served once (the
-- row in announcement_deliveries, their mail and notification in this transaction), each mail
-- given the next slot of the throttle. The announcement's row is locked first, so a step that
-- runs again beside its first run (a worker taken for dead) waits and then skips what it served.
-- Answers nothing when `job_id` does not send this announcement.
create function private.send_announcement_page(announcement_id uuid, job_id uuid, after uuid, page_size integer)
returns table (last_user_id uuid, page_rows integer, audience integer, sent integer, opted_out integer, suppressed integer)
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.send_announcement_page(uuid, uuid, uuid, integer) is
  'For the notifications.announce job: serves the next page of an announcement''s segment, each user once, mails throttled; answers the counts.';

-- What a sent announcement has done so far, for platform admins.
create function private.announcement_status(announcement_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.announcement_status(uuid) to authenticated;

create function public.announcement_status(announcement_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.announcement_status(announcement_id);
$$;

comment on function public.announcement_status(uuid) is
  'Platform admins: a sent announcement''s job status and progress, and how many users it was sent to, skipped as opted out, or found suppressed.';

grant execute on function public.announcement_status(uuid) to authenticated;
