-- Notifications waiting for a user's daily or weekly digest (0120_send_digests.sql sends them).
create table private.digest_items (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null references private.notification_kinds (name) on delete cascade,
  frequency text not null check (frequency in ('daily', 'weekly')),
  title text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);

comment on table private.digest_items is 'Notifications a user gets by email in a daily or weekly digest, until the digest is sent.';

create index digest_items_pending_idx on private.digest_items (user_id, created_at) where sent_at is null;

create index digest_items_org_id_idx on private.digest_items (org_id);

alter table private.digest_items enable row level security;

-- When an email written at `as_of` may go: at once, or at the end of the user's quiet hours
-- (read in `time_zone`; the hours may wrap midnight, 22:00 to 07:00).
create function private.after_quiet_hours(quiet_from time, quiet_until time, time_zone text, as_of timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
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
$$;

comment on function private.after_quiet_hours(time, time, text, timestamptz) is
  'The instant an email written at as_of may be sent: as_of, or the end of the quiet hours it falls in.';

-- The channels a user has for a kind: their own choice for it (public.notification_preferences);
-- else the general choice of their profile's preferences.notifications, else the platform's
-- (app_settings.notification_defaults): `email: false` turns email off, `digest` says how the
-- kinds mailed in a digest are mailed (off, daily, weekly); else the kind's own defaults.
create function private.effective_channels(user_id uuid, kind text, out in_app boolean, out email text)
language sql
stable
security definer
set search_path = ''
as $$
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
$$;

comment on function private.effective_channels(uuid, text) is
  'A user''s channels for a kind: their choice for it, else their profile''s general choice, else the platform''s defaults, else the kind''s.';

-- Tells the users concerned about one thing of an organization, on the channels each chose:
-- an in-app row (pushed live), an email now (after quiet hours), or an item of their digest.
-- Recipients: `user_ids`, or the organization's members from the kind's audience role up.
-- `item` names the thing in the title; `data` is stored with the notification and, with
-- `variables`, given to the mail template. Answers how many users were told.
create function private.notify(
  kind text,
  org_id uuid,
  item text,
  data jsonb default '{}',
  variables jsonb default '{}',
  user_ids uuid[] default null,
  as_of timestamptz default now()
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.notify(text, uuid, text, jsonb, jsonb, uuid[], timestamptz) is
  'Tells an organization''s users (or the given ones) about one thing on the channels each chose: in-app, email now (after quiet hours), or a digest.';
