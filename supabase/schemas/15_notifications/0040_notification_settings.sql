-- A user's quiet hours (email that would be sent in them waits until they end; in-app
-- notifications still arrive, silently) and the zone they are read in (the organization's when
-- null). Digests go out at digest_hour local time: daily, or on Mondays for weekly ones.
create table public.notification_settings (
  user_id uuid primary key references auth.users (id) on delete cascade,
  quiet_from time,
  quiet_until time,
  time_zone text check (private.is_time_zone(time_zone)),
  digest_hour smallint not null default 8 check (digest_hour between 0 and 23),
  updated_at timestamptz not null default now(),
  constraint notification_settings_quiet_hours_check
    check ((quiet_from is null) = (quiet_until is null) and (quiet_from is null or quiet_from <> quiet_until))
);

comment on table public.notification_settings is
  'A user''s quiet hours (from, until; may wrap midnight), time zone (null: the organization''s) and digest hour.';

create trigger touch_updated_at before update on public.notification_settings
  for each row execute function private.touch_updated_at();

alter table public.notification_settings enable row level security;

create policy "users read their notification settings" on public.notification_settings
  for select to authenticated using (user_id = (select auth.uid()));

create policy "users add their notification settings" on public.notification_settings
  for insert to authenticated with check (user_id = (select auth.uid()));

create policy "users change their notification settings" on public.notification_settings
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "users remove their notification settings" on public.notification_settings
  for delete to authenticated using (user_id = (select auth.uid()));

grant select, insert, delete on public.notification_settings to authenticated;

grant update (quiet_from, quiet_until, time_zone, digest_hour) on public.notification_settings to authenticated;
