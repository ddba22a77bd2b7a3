-- Creates an organization with `owner_id` as its owner; the one way organizations come to be.
-- Granted to nobody: the sign-up trigger and private.create_organization() call it.
create function private.new_organization(
  owner_id uuid,
  name text,
  kind public.org_kind,
  base_currency text,
  locale public.locale,
  time_zone text,
  trash_retention_days integer
)
returns public.organizations
language plpgsql
security definer
set search_path = ''
as $$
declare
  defaults record;
  created public.organizations;
begin
  select * into defaults from private.locale_defaults(coalesce(locale, 'en'));
  insert into public.organizations (name, kind, base_currency, locale, time_zone, trash_retention_days, created_by)
  values (
    coalesce(name, defaults.household_name),
    coalesce(kind, 'household'),
    upper(coalesce(base_currency, defaults.currency)),
    coalesce(locale, 'en'),
    coalesce(time_zone, defaults.time_zone),
    coalesce(trash_retention_days, 30),
    owner_id
  )
  returning * into created;
  insert into public.memberships (org_id, user_id, role) values (created.id, owner_id, 'owner');
  return created;
end;
$$;
