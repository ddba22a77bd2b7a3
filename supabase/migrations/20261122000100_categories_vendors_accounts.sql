-- The finance reference data transactions point at: categories (expense and income trees with
-- budgets, a default tree per locale for every new organization), vendors (matched on a
-- normalized name, merged), accounts, and exchange rates to the organization's base currency.
-- Touches: categories, vendors, accounts, exchange_rates, organizations (trigger).

create extension if not exists pg_trgm with schema extensions;

-- Categories ---------------------------------------------------------------------------------

create type public.category_kind as enum ('expense', 'income');

create table public.categories (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.category_kind not null,
  parent_id uuid,
  name text not null check (char_length(btrim(name)) between 1 and 80),
  -- Stable key of a default category (`groceries`), so imports and rules can find it whatever
  -- the language; null for categories people add.
  key text check (key ~ '^[a-z][a-z0-9_]{1,40}$'),
  color text check (color ~ '^#[0-9a-f]{6}$'),
  icon text check (char_length(icon) between 1 and 40),
  -- In the organization's base currency; null means no budget.
  monthly_budget_minor bigint check (monthly_budget_minor >= 0),
  sort_order integer not null default 0
);
comment on table public.categories is
  'Expense and income categories: two levels (a parent and its children), with colour, icon and a monthly budget in the base currency.';

select private.enroll_record_table('public.categories');
-- The self reference needs the (org_id, id) key that enrolling adds.
alter table public.categories add foreign key (org_id, parent_id) references public.categories (org_id, id);
create index categories_org_id_parent_idx on public.categories (org_id, parent_id) where deleted_at is null;
create unique index categories_org_id_name_key on public.categories
  (org_id, kind, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'), lower(name)) where deleted_at is null;
create unique index categories_org_id_key_key on public.categories (org_id, key) where deleted_at is null;

-- For definer triggers that run before row-level security has looked at a new row: an API
-- request (role authenticated) that may not write to the organization is refused here, before
-- the trigger acts on the organization's data or names any of it in an error.
create function private.assert_org_writer(org_id uuid, table_name text)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if current_setting('role', true) = 'authenticated' and private.internal_operation() is null
     and not private.has_org_role(org_id, 'member') then
    raise sqlstate '42501' using message = format('new row violates row-level security policy for table "%s"', table_name);
  end if;
end;
$$;

-- The calendar date in the organization's time zone: "due today" means the household's today.
create function private.org_today(org_id uuid)
returns date
language sql
stable
set search_path = ''
as $$
  select (now() at time zone o.time_zone)::date from public.organizations o where o.id = org_today.org_id;
$$;
grant execute on function private.org_today(uuid) to authenticated, service_role;

-- Two levels, same kind, no cycles: a parent must be a top-level category of the same kind.
create function private.check_category()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  parent public.categories;
begin
  perform private.assert_org_writer(new.org_id, tg_table_name);
  if new.parent_id is null then
    return new;
  end if;
  select * into parent from public.categories c where c.org_id = new.org_id and c.id = new.parent_id;
  if parent.id = new.id or parent.parent_id is not null or parent.kind <> new.kind then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A parent must be a top-level category of the same kind (expense or income).';
  end if;
  if tg_op = 'UPDATE' and exists (select from public.categories c
                                  where c.org_id = new.org_id and c.parent_id = new.id and c.deleted_at is null) then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A category with children cannot become a child itself.';
  end if;
  return new;
end;
$$;

create trigger check_category before insert or update of parent_id, kind on public.categories
  for each row execute function private.check_category();

-- The default trees, in every supported language. Keys are stable across languages.
create function private.default_categories(locale public.locale)
returns table (key text, parent_key text, kind public.category_kind, name text, icon text, color text, sort_order integer)
language sql
immutable
set search_path = ''
as $$
  select d.key, d.parent_key, d.kind::public.category_kind,
         case locale when 'sv' then d.sv when 'nb' then d.nb when 'da' then d.da
                     when 'fi' then d.fi when 'de' then d.de else d.en end,
         d.icon, d.color, d.sort_order
  from (values
    ('housing', null, 'expense', 'home', '#8d6e63', 10, 'Boende', 'Bolig', 'Bolig', 'Asuminen', 'Wohnen', 'Housing'),
    ('rent_mortgage', 'housing', 'expense', 'key', '#8d6e63', 11, 'Hyra & bolån', 'Husleie og boliglån', 'Husleje og boliglån', 'Vuokra ja asuntolaina', 'Miete & Kredit', 'Rent & mortgage'),
    ('utilities', 'housing', 'expense', 'bolt', '#8d6e63', 12, 'El, vatten & värme', 'Strøm, vann og varme', 'El, vand og varme', 'Sähkö, vesi ja lämmitys', 'Strom, Wasser & Heizung', 'Electricity, water & heating'),
    ('internet_phone', 'housing', 'expense', 'wifi', '#8d6e63', 13, 'Bredband & telefon', 'Internett og telefon', 'Internet og telefon', 'Internet ja puhelin', 'Internet & Telefon', 'Internet & phone'),
    ('home_maintenance', 'housing', 'expense', 'tools', '#8d6e63', 14, 'Underhåll', 'Vedlikehold', 'Vedligeholdelse', 'Kunnossapito', 'Instandhaltung', 'Maintenance'),
    ('food', null, 'expense', 'basket', '#43a047', 20, 'Mat', 'Mat', 'Mad', 'Ruoka', 'Essen', 'Food'),
    ('groceries', 'food', 'expense', 'cart', '#43a047', 21, 'Livsmedel', 'Dagligvarer', 'Dagligvarer', 'Ruokakauppa', 'Lebensmittel', 'Groceries'),
    ('restaurants', 'food', 'expense', 'utensils', '#43a047', 22, 'Restaurang & café', 'Restaurant og kafé', 'Restaurant og café', 'Ravintolat ja kahvilat', 'Restaurant & Café', 'Restaurants & cafés'),
    ('transport', null, 'expense', 'car', '#1e88e5', 30, 'Transport', 'Transport', 'Transport', 'Liikenne', 'Mobilität', 'Transport'),
    ('fuel_charging', 'transport', 'expense', 'fuel', '#1e88e5', 31, 'Drivmedel & laddning', 'Drivstoff og lading', 'Brændstof og opladning', 'Polttoaine ja lataus', 'Kraftstoff & Laden', 'Fuel & charging'),
    ('vehicle_costs', 'transport', 'expense', 'wrench', '#1e88e5', 32, 'Fordon: service & skatt', 'Bil: service og avgifter', 'Bil: service og afgifter', 'Auto: huolto ja verot', 'Fahrzeug: Wartung & Steuern', 'Vehicle: service & tax'),
    ('public_transport', 'transport', 'expense', 'train', '#1e88e5', 33, 'Kollektivtrafik', 'Kollektivtransport', 'Offentlig transport', 'Julkinen liikenne', 'Öffentlicher Verkehr', 'Public transport'),
    ('parking', 'transport', 'expense', 'parking', '#1e88e5', 34, 'Parkering', 'Parkering', 'Parkering', 'Pysäköinti', 'Parken', 'Parking'),
    ('insurance', null, 'expense', 'shield', '#5e35b1', 40, 'Försäkringar', 'Forsikringer', 'Forsikringer', 'Vakuutukset', 'Versicherungen', 'Insurance'),
    ('health', null, 'expense', 'heart', '#e53935', 50, 'Hälsa', 'Helse', 'Sundhed', 'Terveys', 'Gesundheit', 'Health'),
    ('pharmacy', 'health', 'expense', 'pill', '#e53935', 51, 'Apotek', 'Apotek', 'Apotek', 'Apteekki', 'Apotheke', 'Pharmacy'),
    ('healthcare', 'health', 'expense', 'stethoscope', '#e53935', 52, 'Vård & tandvård', 'Lege og tannlege', 'Læge og tandlæge', 'Terveydenhuolto', 'Arzt & Zahnarzt', 'Doctor & dentist'),
    ('shopping', null, 'expense', 'bag', '#fb8c00', 60, 'Shopping', 'Shopping', 'Shopping', 'Ostokset', 'Einkaufen', 'Shopping'),
    ('clothing', 'shopping', 'expense', 'shirt', '#fb8c00', 61, 'Kläder & skor', 'Klær og sko', 'Tøj og sko', 'Vaatteet ja kengät', 'Kleidung & Schuhe', 'Clothing & shoes'),
    ('electronics', 'shopping', 'expense', 'device', '#fb8c00', 62, 'Elektronik', 'Elektronikk', 'Elektronik', 'Elektroniikka', 'Elektronik', 'Electronics'),
    ('home_furnishing', 'shopping', 'expense', 'sofa', '#fb8c00', 63, 'Hem & inredning', 'Hjem og interiør', 'Bolig og indretning', 'Koti ja sisustus', 'Haushalt & Einrichtung', 'Home & furnishing'),
    ('subscriptions', null, 'expense', 'repeat', '#00897b', 70, 'Abonnemang', 'Abonnementer', 'Abonnementer', 'Tilaukset', 'Abonnements', 'Subscriptions'),
    ('streaming', 'subscriptions', 'expense', 'play', '#00897b', 71, 'Streaming', 'Strømmetjenester', 'Streaming', 'Suoratoisto', 'Streaming', 'Streaming'),
    ('leisure', null, 'expense', 'sun', '#fdd835', 80, 'Fritid', 'Fritid', 'Fritid', 'Vapaa-aika', 'Freizeit', 'Leisure'),
    ('sports', 'leisure', 'expense', 'dumbbell', '#fdd835', 81, 'Sport & träning', 'Sport og trening', 'Sport og træning', 'Urheilu', 'Sport', 'Sports & fitness'),
    ('travel', 'leisure', 'expense', 'plane', '#fdd835', 82, 'Resor', 'Reiser', 'Rejser', 'Matkat', 'Reisen', 'Travel'),
    ('children', null, 'expense', 'child', '#ec407a', 90, 'Barn', 'Barn', 'Børn', 'Lapset', 'Kinder', 'Children'),
    ('childcare', 'children', 'expense', 'school', '#ec407a', 91, 'Förskola & fritids', 'Barnehage og SFO', 'Børnepasning', 'Päivähoito', 'Kinderbetreuung', 'Childcare'),
    ('loans_fees', null, 'expense', 'bank', '#546e7a', 100, 'Lån & avgifter', 'Lån og gebyrer', 'Lån og gebyrer', 'Lainat ja maksut', 'Kredite & Gebühren', 'Loans & fees'),
    ('other_expense', null, 'expense', 'dots', '#9e9e9e', 110, 'Övrigt', 'Annet', 'Andet', 'Muut', 'Sonstiges', 'Other'),
    ('salary', null, 'income', 'briefcase', '#2e7d32', 200, 'Lön', 'Lønn', 'Løn', 'Palkka', 'Gehalt', 'Salary'),
    ('benefits', null, 'income', 'hand', '#2e7d32', 210, 'Bidrag & ersättningar', 'Stønader og ytelser', 'Ydelser og tilskud', 'Etuudet', 'Sozialleistungen', 'Benefits'),
    ('interest_dividends', null, 'income', 'percent', '#2e7d32', 220, 'Ränta & utdelning', 'Renter og utbytte', 'Renter og udbytte', 'Korot ja osingot', 'Zinsen & Dividenden', 'Interest & dividends'),
    ('refunds', null, 'income', 'undo', '#2e7d32', 230, 'Återbetalningar', 'Refusjoner', 'Refusioner', 'Palautukset', 'Erstattungen', 'Refunds'),
    ('other_income', null, 'income', 'plus', '#2e7d32', 240, 'Övriga inkomster', 'Andre inntekter', 'Andre indtægter', 'Muut tulot', 'Sonstige Einnahmen', 'Other income')
  ) as d (key, parent_key, kind, icon, color, sort_order, sv, nb, da, fi, de, en);
$$;

-- Every new organization starts with the default tree in its language.
create function private.add_default_categories()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The creator becomes a member only after this row: say these writes are the database's own.
  perform set_config('westwallet.internal_operation', 'defaults', true);
  -- Parents first, so children can point at them by key.
  insert into public.categories (org_id, kind, key, name, icon, color, sort_order)
  select new.id, d.kind, d.key, d.name, d.icon, d.color, d.sort_order
  from private.default_categories(new.locale) d where d.parent_key is null;
  insert into public.categories (org_id, kind, parent_id, key, name, icon, color, sort_order)
  select new.id, d.kind, p.id, d.key, d.name, d.icon, d.color, d.sort_order
  from private.default_categories(new.locale) d
  join public.categories p on p.org_id = new.id and p.key = d.parent_key;
  perform set_config('westwallet.internal_operation', '', true);
  return null;
end;
$$;

-- After manage_reference_sequence (alphabetical order), which creates the sequence references need.
create trigger outfit_with_default_categories after insert on public.organizations
  for each row execute function private.add_default_categories();

do $$
declare
  org public.organizations;
begin
  for org in select * from public.organizations loop
    insert into public.categories (org_id, kind, key, name, icon, color, sort_order)
    select org.id, d.kind, d.key, d.name, d.icon, d.color, d.sort_order
    from private.default_categories(org.locale) d where d.parent_key is null;
    insert into public.categories (org_id, kind, parent_id, key, name, icon, color, sort_order)
    select org.id, d.kind, p.id, d.key, d.name, d.icon, d.color, d.sort_order
    from private.default_categories(org.locale) d
    join public.categories p on p.org_id = org.id and p.key = d.parent_key;
  end loop;
end;
$$;

-- Vendors ------------------------------------------------------------------------------------

-- "ICA Maxi Lindhagen AB", "ica maxi lindhagen" and "ICA MAXI LINDHAGEN, AB" are one vendor:
-- case, punctuation, spacing and a trailing legal form do not count; letters such as å, ø and ä do.
create function private.normalize_vendor_name(name text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(btrim(regexp_replace(
    regexp_replace(
      regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g'),
      ' (ab|hb|kb|as|asa|a s|aps|ap s|oy|oyj|ab oy|gmbh|ag|kg|ug|ltd|limited|inc|llc|plc|bv|nv|sa)$', ''),
    '\s+', ' ', 'g')), '');
$$;

create table public.vendors (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 120),
  normalized_name text generated always as (private.normalize_vendor_name(name)) stored,
  organization_number text check (organization_number ~ '^[0-9A-Za-z][0-9A-Za-z -]{2,24}$'),
  website text check (website ~* '^https?://[^\s]+$' and char_length(website) <= 300),
  default_category_id uuid,
  -- Set when this vendor was merged into another; the merged vendor lives on in the trash.
  merged_into_id uuid,
  check (normalized_name is not null),
  foreign key (org_id, default_category_id) references public.categories (org_id, id) on delete set null (default_category_id)
);
comment on table public.vendors is
  'Suppliers and payees, matched on a normalized name; created on first use by a transaction''s counterparty.';
comment on column public.vendors.normalized_name is 'The name as vendors are matched: lower case, no punctuation or legal form.';

select private.enroll_record_table('public.vendors');
alter table public.vendors
  add foreign key (org_id, merged_into_id) references public.vendors (org_id, id) on delete set null (merged_into_id);
create unique index vendors_org_id_normalized_name_key on public.vendors (org_id, normalized_name) where deleted_at is null;
create index vendors_org_id_name_trgm_idx on public.vendors using gin (name extensions.gin_trgm_ops);

-- Finds the organization's vendor for a name as written on a receipt or statement, creating it
-- on first use. Runs with the caller's rights: creating a vendor is an ordinary insert.
create function private.vendor_for_name(org_id uuid, name text)
returns uuid
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  -- Normalized once, so the lookup below is one probe of the unique index.
  normalized text := private.normalize_vendor_name(vendor_for_name.name);
  found uuid;
begin
  select v.id into found from public.vendors v
  where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  if found is null then
    insert into public.vendors (org_id, name) values (vendor_for_name.org_id, btrim(vendor_for_name.name))
    on conflict (org_id, normalized_name) where deleted_at is null do nothing
    returning id into found;
  end if;
  if found is null then -- another transaction created it just now
    select v.id into found from public.vendors v
    where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  end if;
  return found;
end;
$$;
grant execute on function private.vendor_for_name(uuid, text) to authenticated, service_role;

-- The vendor a record names (transactions' counterparty, warranties' seller, insurances'
-- insurer): the vendor of the name as written, when the name is new or changed and no vendor
-- was chosen with it; otherwise the vendor it points at. `old_*`: before an update (null on insert).
create function private.named_vendor(org_id uuid, vendor_id uuid, written text, old_vendor_id uuid, old_written text)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  if nullif(btrim(written), '') is not null and written is distinct from old_written
     and vendor_id is not distinct from old_vendor_id then
    return private.vendor_for_name(org_id, written);
  end if;
  return vendor_id;
end;
$$;
grant execute on function private.normalize_vendor_name(text) to authenticated, service_role;

-- Accounts -----------------------------------------------------------------------------------

create type public.account_kind as enum ('bank', 'savings', 'card', 'cash', 'loan');

create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.account_kind not null,
  name text not null check (char_length(btrim(name)) between 1 and 80),
  currency text not null references public.currencies (code),
  -- Negative for a loan: what is owed when tracking starts.
  opening_balance_minor bigint not null default 0,
  opening_on date not null default current_date,
  institution text check (char_length(institution) <= 80),
  -- The last digits people recognize an account or card by, never the full number.
  number_hint text check (number_hint ~ '^[0-9A-Za-z •*-]{1,16}$'),
  closed boolean not null default false
);
comment on table public.accounts is
  'Bank accounts, savings, cards, cash and loans; the current balance is the opening balance plus its transactions (account_balances()).';

select private.enroll_record_table('public.accounts');
create unique index accounts_org_id_name_key on public.accounts (org_id, lower(name)) where deleted_at is null;

-- Exchange rates -----------------------------------------------------------------------------

create table public.exchange_rates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  currency text not null references public.currencies (code),
  rate_date date not null,
  -- Units of the base currency one unit of `currency` buys (major units, not minor).
  rate numeric(20, 10) not null check (rate > 0),
  source text check (char_length(source) <= 40)
);
comment on table public.exchange_rates is
  'Rates to the organization''s base currency by date; a transaction converts at the rate of its date or the last one before it within 7 days (weekends, holidays), never further back.';

select private.enroll_record_table('public.exchange_rates');
create unique index exchange_rates_org_id_currency_date_key on public.exchange_rates (org_id, currency, rate_date desc)
  where deleted_at is null;
