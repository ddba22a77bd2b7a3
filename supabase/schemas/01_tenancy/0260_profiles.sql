create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (private.name_is_valid(display_name, 100)),
  locale public.locale not null default 'en',
  preferences jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.profiles is 'A user''s name, language and preferences (validated against packages/shared preferencesSchema).';

create trigger touch_updated_at before update on public.profiles
  for each row execute function private.touch_updated_at();

alter table public.profiles enable row level security;

create policy "users read their own profile" on public.profiles
  for select to authenticated using (user_id = (select auth.uid()));

create policy "users change their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

grant select on public.profiles to authenticated;

grant update (display_name, locale, preferences) on public.profiles to authenticated;

create trigger validate_profile before insert or update of preferences on public.profiles
  for each row execute function private.validate_profile();

