-- Tenancy: organizations, their members and roles, invitations, and user profiles.
--
-- Everything a user stores belongs to an organization. Row-level security decides every read
-- and write through the Data API; changes to membership go through RPCs (see the next
-- migration) so the rules that span rows (an organization always keeps an owner) hold under
-- concurrency. Helpers live in `private` and are called as `(select private.fn(...))`, so a
-- policy evaluates them once per statement.
-- Touches: types org_kind, org_role, locale; tables currencies, organizations, memberships,
-- invitations, profiles; trigger on auth.users.

create type public.org_kind as enum ('household', 'family', 'association', 'company');
comment on type public.org_kind is 'What an organization is; it changes defaults, never permissions.';

-- Declared from least to most: `role >= 'admin'` reads as "admin or owner".
create type public.org_role as enum ('viewer', 'member', 'admin', 'owner');
comment on type public.org_role is
  'viewer reads; member also writes data; admin also manages members, invitations and settings; owner also billing and deletion.';

create type public.locale as enum ('sv', 'nb', 'da', 'fi', 'de', 'en');

-- ISO 4217 currencies in circulation, with their minor units: amounts are stored as integers
-- in minor units, so formatting and conversion need the exponent (JPY 0, SEK 2, KWD 3).
create table public.currencies (
  code text primary key check (code ~ '^[A-Z]{3}$'),
  minor_units smallint not null check (minor_units between 0 and 4),
  name text not null
);
comment on table public.currencies is 'ISO 4217 currencies and their minor units (reference data, read-only).';
alter table public.currencies enable row level security;
create policy "signed-in users read currencies" on public.currencies for select to authenticated using (true);
grant select on public.currencies to authenticated;

insert into public.currencies (code, minor_units, name) values
  ('AED', 2, 'UAE Dirham'),
  ('AFN', 2, 'Afghani'),
  ('ALL', 2, 'Lek'),
  ('AMD', 2, 'Armenian Dram'),
  ('ANG', 2, 'Netherlands Antillean Guilder'),
  ('AOA', 2, 'Kwanza'),
  ('ARS', 2, 'Argentine Peso'),
  ('AUD', 2, 'Australian Dollar'),
  ('AWG', 2, 'Aruban Florin'),
  ('AZN', 2, 'Azerbaijan Manat'),
  ('BAM', 2, 'Convertible Mark'),
  ('BBD', 2, 'Barbados Dollar'),
  ('BDT', 2, 'Taka'),
  ('BGN', 2, 'Bulgarian Lev'),
  ('BHD', 3, 'Bahraini Dinar'),
  ('BIF', 0, 'Burundi Franc'),
  ('BMD', 2, 'Bermudian Dollar'),
  ('BND', 2, 'Brunei Dollar'),
  ('BOB', 2, 'Boliviano'),
  ('BRL', 2, 'Brazilian Real'),
  ('BSD', 2, 'Bahamian Dollar'),
  ('BTN', 2, 'Ngultrum'),
  ('BWP', 2, 'Pula'),
  ('BYN', 2, 'Belarusian Ruble'),
  ('BZD', 2, 'Belize Dollar'),
  ('CAD', 2, 'Canadian Dollar'),
  ('CDF', 2, 'Congolese Franc'),
  ('CHF', 2, 'Swiss Franc'),
  ('CLP', 0, 'Chilean Peso'),
  ('CNY', 2, 'Yuan Renminbi'),
  ('COP', 2, 'Colombian Peso'),
  ('CRC', 2, 'Costa Rican Colon'),
  ('CUC', 2, 'Peso Convertible'),
  ('CUP', 2, 'Cuban Peso'),
  ('CVE', 2, 'Cabo Verde Escudo'),
  ('CZK', 2, 'Czech Koruna'),
  ('DJF', 0, 'Djibouti Franc'),
  ('DKK', 2, 'Danish Krone'),
  ('DOP', 2, 'Dominican Peso'),
  ('DZD', 2, 'Algerian Dinar'),
  ('EGP', 2, 'Egyptian Pound'),
  ('ERN', 2, 'Nakfa'),
  ('ETB', 2, 'Ethiopian Birr'),
  ('EUR', 2, 'Euro'),
  ('FJD', 2, 'Fiji Dollar'),
  ('FKP', 2, 'Falkland Islands Pound'),
  ('GBP', 2, 'Pound Sterling'),
  ('GEL', 2, 'Lari'),
  ('GHS', 2, 'Ghana Cedi'),
  ('GIP', 2, 'Gibraltar Pound'),
  ('GMD', 2, 'Dalasi'),
  ('GNF', 0, 'Guinean Franc'),
  ('GTQ', 2, 'Quetzal'),
  ('GYD', 2, 'Guyana Dollar'),
  ('HKD', 2, 'Hong Kong Dollar'),
  ('HNL', 2, 'Lempira'),
  ('HTG', 2, 'Gourde'),
  ('HUF', 2, 'Forint'),
  ('IDR', 2, 'Rupiah'),
  ('ILS', 2, 'New Israeli Sheqel'),
  ('INR', 2, 'Indian Rupee'),
  ('IQD', 3, 'Iraqi Dinar'),
  ('IRR', 2, 'Iranian Rial'),
  ('ISK', 0, 'Iceland Krona'),
  ('JMD', 2, 'Jamaican Dollar'),
  ('JOD', 3, 'Jordanian Dinar'),
  ('JPY', 0, 'Yen'),
  ('KES', 2, 'Kenyan Shilling'),
  ('KGS', 2, 'Som'),
  ('KHR', 2, 'Riel'),
  ('KMF', 0, 'Comorian Franc '),
  ('KPW', 2, 'North Korean Won'),
  ('KRW', 0, 'Won'),
  ('KWD', 3, 'Kuwaiti Dinar'),
  ('KYD', 2, 'Cayman Islands Dollar'),
  ('KZT', 2, 'Tenge'),
  ('LAK', 2, 'Lao Kip'),
  ('LBP', 2, 'Lebanese Pound'),
  ('LKR', 2, 'Sri Lanka Rupee'),
  ('LRD', 2, 'Liberian Dollar'),
  ('LSL', 2, 'Loti'),
  ('LYD', 3, 'Libyan Dinar'),
  ('MAD', 2, 'Moroccan Dirham'),
  ('MDL', 2, 'Moldovan Leu'),
  ('MGA', 2, 'Malagasy Ariary'),
  ('MKD', 2, 'Denar'),
  ('MMK', 2, 'Kyat'),
  ('MNT', 2, 'Tugrik'),
  ('MOP', 2, 'Pataca'),
  ('MRU', 2, 'Ouguiya'),
  ('MUR', 2, 'Mauritius Rupee'),
  ('MVR', 2, 'Rufiyaa'),
  ('MWK', 2, 'Malawi Kwacha'),
  ('MXN', 2, 'Mexican Peso'),
  ('MYR', 2, 'Malaysian Ringgit'),
  ('MZN', 2, 'Mozambique Metical'),
  ('NAD', 2, 'Namibia Dollar'),
  ('NGN', 2, 'Naira'),
  ('NIO', 2, 'Cordoba Oro'),
  ('NOK', 2, 'Norwegian Krone'),
  ('NPR', 2, 'Nepalese Rupee'),
  ('NZD', 2, 'New Zealand Dollar'),
  ('OMR', 3, 'Rial Omani'),
  ('PAB', 2, 'Balboa'),
  ('PEN', 2, 'Sol'),
  ('PGK', 2, 'Kina'),
  ('PHP', 2, 'Philippine Peso'),
  ('PKR', 2, 'Pakistan Rupee'),
  ('PLN', 2, 'Zloty'),
  ('PYG', 0, 'Guarani'),
  ('QAR', 2, 'Qatari Rial'),
  ('RON', 2, 'Romanian Leu'),
  ('RSD', 2, 'Serbian Dinar'),
  ('RUB', 2, 'Russian Ruble'),
  ('RWF', 0, 'Rwanda Franc'),
  ('SAR', 2, 'Saudi Riyal'),
  ('SBD', 2, 'Solomon Islands Dollar'),
  ('SCR', 2, 'Seychelles Rupee'),
  ('SDG', 2, 'Sudanese Pound'),
  ('SEK', 2, 'Swedish Krona'),
  ('SGD', 2, 'Singapore Dollar'),
  ('SHP', 2, 'Saint Helena Pound'),
  ('SLE', 2, 'Leone'),
  ('SOS', 2, 'Somali Shilling'),
  ('SRD', 2, 'Surinam Dollar'),
  ('SSP', 2, 'South Sudanese Pound'),
  ('STN', 2, 'Dobra'),
  ('SVC', 2, 'El Salvador Colon'),
  ('SYP', 2, 'Syrian Pound'),
  ('SZL', 2, 'Lilangeni'),
  ('THB', 2, 'Baht'),
  ('TJS', 2, 'Somoni'),
  ('TMT', 2, 'Turkmenistan New Manat'),
  ('TND', 3, 'Tunisian Dinar'),
  ('TOP', 2, 'Pa’anga'),
  ('TRY', 2, 'Turkish Lira'),
  ('TTD', 2, 'Trinidad and Tobago Dollar'),
  ('TWD', 2, 'New Taiwan Dollar'),
  ('TZS', 2, 'Tanzanian Shilling'),
  ('UAH', 2, 'Hryvnia'),
  ('UGX', 0, 'Uganda Shilling'),
  ('USD', 2, 'US Dollar'),
  ('UYU', 2, 'Peso Uruguayo'),
  ('UZS', 2, 'Uzbekistan Sum'),
  ('VES', 2, 'Bolívar Soberano'),
  ('VND', 0, 'Dong'),
  ('VUV', 0, 'Vatu'),
  ('WST', 2, 'Tala'),
  ('XAF', 0, 'CFA Franc BEAC'),
  ('XCD', 2, 'East Caribbean Dollar'),
  ('XOF', 0, 'CFA Franc BCEAO'),
  ('XPF', 0, 'CFP Franc'),
  ('YER', 2, 'Yemeni Rial'),
  ('ZAR', 2, 'Rand'),
  ('ZMW', 2, 'Zambian Kwacha'),
  ('ZWG', 2, 'Zimbabwe Gold');

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  kind public.org_kind not null default 'household',
  name text not null check (char_length(btrim(name)) between 1 and 200),
  base_currency text not null references public.currencies (code),
  locale public.locale not null default 'en',
  time_zone text not null default 'Europe/Stockholm',
  trash_retention_days integer not null default 30 check (trash_retention_days between 1 and 3650),
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is
  'A household, family, association or company: the tenant every other row belongs to.';
comment on column public.organizations.trash_retention_days is 'Days a deleted record stays in the trash before it is purged.';

create function private.is_time_zone(name text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  perform now() at time zone name;
  return true;
exception
  when invalid_parameter_value then
    return false;
end;
$$;

alter table public.organizations
  add constraint organizations_time_zone_check check (private.is_time_zone(time_zone));

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

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role public.org_role not null default 'member',
  invited_by uuid,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid,
  revoked_at timestamptz,
  revoked_by uuid,
  created_at timestamptz not null default now(),
  unique (org_id, id),
  check (num_nonnulls(accepted_at, revoked_at) <= 1)
);
comment on table public.invitations is
  'An email invited into an organization with a role, until it expires, is revoked or is accepted.';
create index invitations_org_id_created_at_idx on public.invitations (org_id, created_at desc);
create index invitations_email_idx on public.invitations (email) where accepted_at is null and revoked_at is null;

create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 100),
  locale public.locale not null default 'en',
  preferences jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'A user''s name, language and preferences (validated against packages/shared preferencesSchema).';

-- Helpers for policies and RPCs ------------------------------------------------------------

-- The organizations where the caller has at least `min_role`; an array so that a policy's
-- `org_id = any ((select ...)::uuid[])` becomes one index condition evaluated once per statement.
create function private.org_ids_with_role(min_role public.org_role)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.org_id), '{}')
  from public.memberships m
  where m.user_id = (select auth.uid()) and m.role >= min_role;
$$;

create function private.has_org_role(org_id uuid, min_role public.org_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select from public.memberships m
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
  );
$$;

-- For RPCs that act as a user: the caller's id, or UNAUTHORIZED.
create function private.require_user()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise sqlstate 'PT401' using message = 'UNAUTHORIZED', detail = 'Sign in first.';
  end if;
  return auth.uid();
end;
$$;
grant execute on function private.require_user() to authenticated, service_role;

-- For RPCs: raises the error that says why the caller may not act on the organization.
create function private.require_org_role(org_id uuid, min_role public.org_role)
returns public.org_role
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller_role public.org_role;
  caller_id uuid := private.require_user();
begin
  select m.role into caller_role
  from public.memberships m
  where m.org_id = require_org_role.org_id and m.user_id = caller_id;
  if caller_role is null then
    if not exists (select from public.organizations o where o.id = require_org_role.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  if caller_role < min_role then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN',
      detail = format('This needs the %s role; you are %s.', min_role, caller_role);
  end if;
  return caller_role;
end;
$$;

grant execute on function private.org_ids_with_role(public.org_role) to authenticated;
grant execute on function private.has_org_role(uuid, public.org_role) to authenticated;
grant execute on function private.is_time_zone(text) to authenticated, service_role;

create function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger touch_updated_at before update on public.organizations
  for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.memberships
  for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.profiles
  for each row execute function private.touch_updated_at();

-- Row-level security -----------------------------------------------------------------------

alter table public.organizations enable row level security;
alter table public.memberships enable row level security;
alter table public.invitations enable row level security;
alter table public.profiles enable row level security;

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
grant update (kind, name, base_currency, locale, time_zone, trash_retention_days) on public.organizations to authenticated;

create policy "members see who else is a member" on public.memberships
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));
-- Joining, leaving and role changes go through RPCs only.
grant select on public.memberships to authenticated;

create policy "admins and the invitee read an invitation" on public.invitations
  for select to authenticated using (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    or email = (select lower(auth.email()))
  );
grant select on public.invitations to authenticated;

create policy "users read their own profile" on public.profiles
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users change their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
grant select on public.profiles to authenticated;
grant update (display_name, locale, preferences) on public.profiles to authenticated;

-- Profiles: preferences are checked against the shared schema -------------------------------

create function private.validate_profile()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  problems text[] := private.preferences_errors(new.preferences);
begin
  if cardinality(problems) > 0 then
    raise sqlstate 'PT400' using message = 'PREFERENCES_INVALID', detail = array_to_string(problems, '; ');
  end if;
  return new;
end;
$$;

create trigger validate_profile before insert or update of preferences on public.profiles
  for each row execute function private.validate_profile();

-- Defaults a new organization takes from its locale.
create function private.locale_defaults(locale public.locale)
returns table (currency text, time_zone text, household_name text)
language sql
immutable
set search_path = ''
as $$
  select d.currency, d.time_zone, d.household_name
  from (values
    ('sv'::public.locale, 'SEK', 'Europe/Stockholm', 'Mitt hushåll'),
    ('nb', 'NOK', 'Europe/Oslo', 'Min husholdning'),
    ('da', 'DKK', 'Europe/Copenhagen', 'Min husstand'),
    ('fi', 'EUR', 'Europe/Helsinki', 'Kotitalous'),
    ('de', 'EUR', 'Europe/Berlin', 'Mein Haushalt'),
    ('en', 'EUR', 'Europe/London', 'My household')
  ) as d (locale, currency, time_zone, household_name)
  where d.locale = locale_defaults.locale;
$$;

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

-- A new user gets a profile and a personal household they own. Sign-up metadata may carry
-- display_name, locale and household_name; anything unusable falls back to a default rather
-- than failing the sign-up.
create function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}');
  user_locale public.locale := 'en';
  name text := nullif(btrim(left(meta ->> 'display_name', 100)), '');
begin
  if meta ->> 'locale' in ('sv', 'nb', 'da', 'fi', 'de', 'en') then
    user_locale := (meta ->> 'locale')::public.locale;
  end if;
  insert into public.profiles (user_id, display_name, locale)
  values (new.id, coalesce(name, split_part(new.email, '@', 1), 'User'), user_locale);
  perform private.new_organization(
    new.id, nullif(btrim(left(meta ->> 'household_name', 200)), ''), 'household', null, user_locale, null, null
  );
  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();
