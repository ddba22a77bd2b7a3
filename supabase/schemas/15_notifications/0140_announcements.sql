-- Messages platform admins send to a segment of users: everyone, the members of organizations
-- still in their trial, or the users of one language. Previewed first (who and how many), then
-- written to the mail outbox at once with staggered due times, `per_minute` a minute, so the
-- mail queue sends them throttled and none is lost; users whose `announcement` email is off are
-- left out, suppressed addresses are refused by the outbox.
create table private.announcements (
  id uuid primary key default gen_random_uuid(),
  segment text not null check (segment in ('all', 'trialing', 'language')),
  locale public.locale,
  subject text not null check (length(subject) between 1 and 200),
  body text not null check (length(body) between 1 and 10000),
  per_minute integer not null check (per_minute between 1 and 6000),
  recipients integer not null default 0,
  sent_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check ((segment = 'language') = (locale is not null))
);

comment on table private.announcements is 'Messages platform admins sent to a segment of users, with how many it went to.';

alter table private.announcements enable row level security;

-- Who a segment reaches: confirmed addresses, each once, without those who opted out.
create function private.announcement_audience(segment text, language public.locale)
returns table (user_id uuid, email text, locale public.locale)
language plpgsql
stable
set search_path = ''
as $$
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

-- What a send would do: how many it reaches, the first addresses and the message.
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
    select jsonb_build_object(
      'recipients', count(*),
      'sample', coalesce((jsonb_agg(a.email order by a.n) filter (where a.n <= 10)), '[]'),
      'by_language', coalesce((select jsonb_object_agg(l.locale, l.n)
                               from (select x.locale, count(*) as n from private.announcement_audience(segment, locale) x group by x.locale) l), '{}'),
      'subject', subject, 'body', body)
    from (select x.email, row_number() over () as n from private.announcement_audience(segment, locale) x) a
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
  'Platform admins: how many users a segment message reaches (all, trialing, language with a locale), by language, the first ten addresses.';

grant execute on function public.preview_announcement(text, text, text, public.locale) to authenticated;

create function private.send_announcement(segment text, subject text, body text, locale public.locale, per_minute integer)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.send_announcement(text, text, text, public.locale, integer) to authenticated;

create function public.send_announcement(
  segment text,
  subject text,
  body text,
  locale public.locale default null,
  per_minute integer default 60
)
returns uuid
language sql
set search_path = ''
as $$
  select private.send_announcement(segment, subject, body, locale, per_minute);
$$;

comment on function public.send_announcement(text, text, text, public.locale, integer) is
  'Platform admins: sends a message to a segment (all, trialing, language with a locale), per_minute mails a minute through the outbox; answers its id.';

grant execute on function public.send_announcement(text, text, text, public.locale, integer) to authenticated;
