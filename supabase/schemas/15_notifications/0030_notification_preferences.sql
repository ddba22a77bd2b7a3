-- A user's channels for one kind: in the app or not, and email now, in a daily or weekly
-- digest, or off. No row: the kind's platform default (private.notification_kinds).
create table public.notification_preferences (
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null references private.notification_kinds (name) on delete cascade,
  in_app boolean not null default true,
  email text not null default 'now' check (email in ('off', 'now', 'daily', 'weekly')),
  updated_at timestamptz not null default now(),
  primary key (user_id, kind)
);

comment on table public.notification_preferences is
  'A user''s channels per notification kind (in the app; email now, daily, weekly or off); kinds without a row follow the platform default. my_notification_channels() shows both.';

create trigger touch_updated_at before update on public.notification_preferences
  for each row execute function private.touch_updated_at();

alter table public.notification_preferences enable row level security;

create policy "users read their notification preferences" on public.notification_preferences
  for select to authenticated using (user_id = (select auth.uid()));

create policy "users add their notification preferences" on public.notification_preferences
  for insert to authenticated with check (user_id = (select auth.uid()));

create policy "users change their notification preferences" on public.notification_preferences
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "users remove their notification preferences" on public.notification_preferences
  for delete to authenticated using (user_id = (select auth.uid()));

grant select, insert, delete on public.notification_preferences to authenticated;

grant update (in_app, email) on public.notification_preferences to authenticated;
