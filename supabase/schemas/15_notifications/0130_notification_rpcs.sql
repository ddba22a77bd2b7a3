-- What a screen of notifications needs, all as the caller (row-level security decides).

create function public.unread_notification_count()
returns integer
language sql
stable
set search_path = ''
as $$
  select count(*)::integer from public.notifications n where n.user_id = (select auth.uid()) and n.read_at is null;
$$;

comment on function public.unread_notification_count() is 'How many of the caller''s in-app notifications are unread.';

grant execute on function public.unread_notification_count() to authenticated;

-- Marks the given notifications read (all of the caller's when ids is null); answers how many changed.
create function public.mark_notifications_read(ids uuid[] default null)
returns integer
language sql
set search_path = ''
as $$
  with marked as (
    update public.notifications n set read_at = now()
    where n.user_id = (select auth.uid()) and n.read_at is null and (ids is null or n.id = any (ids))
    returning 1
  )
  select count(*)::integer from marked;
$$;

comment on function public.mark_notifications_read(uuid[]) is
  'Marks the caller''s notifications read: those given, or all; answers how many changed.';

grant execute on function public.mark_notifications_read(uuid[]) to authenticated;

-- Every kind with the caller's channels: their choice where they made one, else the platform's.
create function private.notification_channels()
returns table (kind text, in_app boolean, email text, is_default boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select k.name, c.in_app, c.email, p.user_id is null
  from private.notification_kinds k
  cross join lateral private.effective_channels((select auth.uid()), k.name) c
  left join public.notification_preferences p on p.kind = k.name and p.user_id = (select auth.uid())
  where (select auth.uid()) is not null
  order by k.name;
$$;

grant execute on function private.notification_channels() to authenticated;

create function public.my_notification_channels()
returns table (kind text, in_app boolean, email text, is_default boolean)
language sql
stable
set search_path = ''
as $$
  select * from private.notification_channels();
$$;

comment on function public.my_notification_channels() is
  'Each notification kind with the caller''s channels (in_app; email off, now, daily or weekly) and whether they are defaults (no choice of their own for the kind).';

grant execute on function public.my_notification_channels() to authenticated;

-- Chooses the caller's channels for one kind.
create function public.set_notification_channels(kind text, in_app boolean, email text)
returns void
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function public.set_notification_channels(text, boolean, text) is
  'Sets the caller''s channels for a kind: in_app, and email off, now, daily or weekly.';

grant execute on function public.set_notification_channels(text, boolean, text) to authenticated;
