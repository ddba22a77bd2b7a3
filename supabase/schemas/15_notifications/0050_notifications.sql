-- In-app notifications: one row per user, which only that user reads and marks read. Each new
-- row is pushed to the user's private topic `user:<user_id>` (event `notification`). Users do not
-- delete them; private.purge_notifications removes them after 180 days.
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null references private.notification_kinds (name) on delete cascade,
  title text not null check (length(title) between 1 and 300),
  -- What it is about: {item_table, item_id, due_on, lead_days} for a reminder; the event's for others.
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object' and pg_column_size(data) <= 8192),
  created_at timestamptz not null default now(),
  read_at timestamptz
);

comment on table public.notifications is
  'In-app notifications: only their user reads them (and sets read_at); pushed live on the private topic user:<user_id>.';

create index notifications_org_id_idx on public.notifications (org_id, created_at desc);

create index notifications_user_id_idx on public.notifications (user_id, created_at desc);

create index notifications_unread_idx on public.notifications (user_id) where read_at is null;

alter table public.notifications enable row level security;

create policy "users read their notifications" on public.notifications
  for select to authenticated using (user_id = (select auth.uid()));

create policy "users mark their notifications read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

grant select on public.notifications to authenticated;

grant update (read_at) on public.notifications to authenticated;

create function private.push_notification()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object('notification_id', new.id, 'org_id', new.org_id, 'kind', new.kind, 'title', new.title,
                       'data', new.data, 'created_at', new.created_at),
    'notification', 'user:' || new.user_id, true);
  return null;
end;
$$;

comment on function private.push_notification() is
  'Broadcasts a new in-app notification to its user''s private topic user:<user_id> (event notification).';

create trigger push_notification after insert on public.notifications
  for each row execute function private.push_notification();
