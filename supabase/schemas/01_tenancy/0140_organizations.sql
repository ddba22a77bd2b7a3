create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  kind public.org_kind not null default 'household',
  name text not null check (private.name_is_valid(name, 200)),
  base_currency text not null references public.currencies (code),
  locale public.locale not null default 'en',
  time_zone text not null default 'Europe/Stockholm',
  trash_retention_days integer not null default 30 check (trash_retention_days between 1 and 3650),
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Last, where the migration that added it put it: both build the same table.
  require_mfa boolean not null default false
);

comment on table public.organizations is
  'A household, family, association or company: the tenant every other row belongs to.';

comment on column public.organizations.trash_retention_days is 'Days a deleted record stays in the trash before it is purged.';

comment on column public.organizations.require_mfa is
  'Members reach the organization''s data only from a session verified with a second factor (aal2).';

alter table public.organizations
  add constraint organizations_time_zone_check check (private.is_time_zone(time_zone));

create trigger touch_updated_at before update on public.organizations
  for each row execute function private.touch_updated_at();

alter table public.organizations enable row level security;

create policy "members read their organizations" on public.organizations
  for select to authenticated using (id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

create policy "admins change their organization's settings" on public.organizations
  for update to authenticated
  using (id = any ((select private.org_ids_with_role('admin'))::uuid[]))
  with check (id = any ((select private.org_ids_with_role('admin'))::uuid[]));

create policy "owners delete their organizations" on public.organizations
  for delete to authenticated using (id = any ((select private.org_ids_with_role('owner'))::uuid[]));

-- Organizations are created by create_organization(), which also makes the caller owner.
grant select, delete on public.organizations to authenticated;

grant update (kind, name, base_currency, locale, time_zone, trash_retention_days, require_mfa) on public.organizations to authenticated;

