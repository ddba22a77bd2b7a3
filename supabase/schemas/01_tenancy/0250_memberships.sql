create table public.memberships (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null default 'member',
  invited_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, user_id),
  unique (org_id, id)
);

comment on table public.memberships is 'Who belongs to which organization, and with which role.';

-- The helpers below look up the caller's memberships by user first.
create index memberships_user_id_org_id_role_idx on public.memberships (user_id, org_id, role);

create trigger touch_updated_at before update on public.memberships
  for each row execute function private.touch_updated_at();

alter table public.memberships enable row level security;

create policy "members see who else is a member" on public.memberships
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

-- Joining, leaving and role changes go through RPCs only.
grant select on public.memberships to authenticated;

create constraint trigger keeps_an_owner after update of role or delete on public.memberships
  deferrable initially deferred
  for each row execute function private.assert_org_keeps_owner();
