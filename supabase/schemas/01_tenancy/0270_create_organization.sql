create function private.create_organization(
  name text,
  kind public.org_kind,
  base_currency text,
  locale public.locale,
  time_zone text
)
returns public.organizations
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner_id uuid := private.require_user();
  profile public.profiles;
begin
  select * into profile from public.profiles p where p.user_id = owner_id;
  return private.new_organization(
    owner_id, name, kind, base_currency, coalesce(locale, profile.locale), time_zone,
    (profile.preferences #>> '{trash,retentionDays}')::integer
  );
end;
$$;

grant execute on function private.create_organization(text, public.org_kind, text, public.locale, text) to authenticated;

create function public.create_organization(
  name text,
  kind public.org_kind default 'household',
  base_currency text default null,
  locale public.locale default null,
  time_zone text default null
)
returns public.organizations
language sql
set search_path = ''
as $$
  select * from private.create_organization(name, kind, base_currency, locale, time_zone);
$$;

comment on function public.create_organization is
  'Creates an organization owned by the caller. Currency and time zone default from the locale, which defaults to the caller''s.';

grant execute on function public.create_organization(text, public.org_kind, text, public.locale, text) to authenticated;
