-- Sends each user's digest once per period: daily at their digest hour, weekly on Mondays at it
-- (in their time zone, else their latest item's organization's). A digest holds the items
-- written before the period began, so a run twice in one period sends nothing more, and an item
-- written after the hour waits for the next digest. `user_ids` limits it to those users.
-- Answers how many digests were written.
create function private.send_digests(as_of timestamptz default now(), user_ids uuid[] default null)
returns integer
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.send_digests(timestamptz, uuid[]) is
  'Mails each user''s daily or weekly digest of what waited for it, once per period (pg_cron every 15 minutes).';

select cron.schedule('notifications-digests', '*/15 * * * *', 'select private.send_digests()');
