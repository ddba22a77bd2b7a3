-- Old notifications and spent reminder keys go: in-app notifications after 180 days, digest
-- items once sent and a month old, and fired windows whose due day is more than a year past (no
-- run computes a window for them any more, so their keys protect nothing).
create function private.purge_notifications(as_of timestamptz default now())
returns void
language sql
set search_path = ''
as $$
  delete from public.notifications n where n.created_at < as_of - interval '180 days';
  delete from private.digest_items d where d.sent_at < as_of - interval '30 days';
  delete from private.reminder_firings f where f.due_on < (as_of - interval '1 year')::date;
$$;

comment on function private.purge_notifications(timestamptz) is
  'Removes notifications older than 180 days, sent digest items older than 30 days and reminder keys a year past due (pg_cron daily).';

select cron.schedule('notifications-purge', '17 3 * * *', 'select private.purge_notifications()');
