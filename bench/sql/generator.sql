-- The benchmark's data generator: organizations set up through the app's own paths (triggers
-- on), then transactions loaded in bulk with the triggers off and every column the triggers
-- would have set computed here, then the monthly totals rebuilt and everything checked
-- (bench.check_load). Random but repeatable: the loader seeds each session.

-- The generated organizations, and what the loader draws from for each.
create table bench.orgs (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  profile text not null,
  idx integer not null,
  owner_id uuid not null,
  base_currency text not null,
  -- Where the household travels (or the company buys abroad); null: never abroad.
  travel_currency text
);

create table bench.org_accounts (
  org_id uuid not null references bench.orgs on delete cascade,
  role text not null,
  account_id uuid not null,
  currency text not null,
  primary key (org_id, role)
);

create table bench.org_vendors (
  org_id uuid not null references bench.orgs on delete cascade,
  grp text not null,
  ids uuid[] not null,
  names text[] not null,
  primary key (org_id, grp)
);

-- bench.patterns resolved for one organization, with [lower, upper) its share of the draws.
create table bench.org_patterns (
  org_id uuid not null references bench.orgs on delete cascade,
  lower double precision not null,
  upper double precision not null,
  pattern bench.patterns not null,
  category_id uuid,
  split_category_id uuid,
  vendor_ids uuid[],
  vendor_names text[],
  account_id uuid not null,
  account_currency text not null,
  to_account_id uuid,
  primary key (org_id, lower)
);

-- bench.recurring resolved for one organization: its vendor, contract and accounts.
create table bench.org_recurring (
  org_id uuid not null references bench.orgs on delete cascade,
  recurring bench.recurring not null,
  category_id uuid,
  vendor_id uuid,
  vendor_name text,
  contract_id uuid,
  account_id uuid not null,
  to_account_id uuid
);

-- What was loaded, so a later run with the same sizes and schema can reuse it.
create table bench.dataset (
  id boolean primary key default true check (id),
  params jsonb not null,
  schema_fingerprint text not null,
  loaded_at timestamptz not null default now(),
  load_seconds numeric,
  counts jsonb
);

-- A stable pick in [0, 1) for (organization index, purpose): who has a second salary, which
-- electricity company, ...
create function bench.pick(idx integer, purpose text)
returns double precision
language sql
immutable
as $$
  select (('x' || substr(md5(idx || ':' || purpose), 1, 8))::bit(32)::bigint)::double precision / 4294967296;
$$;

-- Setup ----------------------------------------------------------------------------------------

-- Signs up `how_many` household owners; the sign-up trigger creates each household with its
-- default categories, as it does for a real user. One in ten is Norwegian, one in twenty Finnish.
create function bench.create_households(first_idx integer, how_many integer)
returns void
language plpgsql
as $$
begin
  insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                          confirmation_token, recovery_token, email_change_token_new, email_change,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  select gen_random_uuid(), 'authenticated', 'authenticated', format('household-%s@bench.westwallet.test', i), '', now(),
         '', '', '', '', '{"provider": "email", "providers": ["email"]}',
         jsonb_build_object('display_name', format('Hushåll %s', i), 'household_name', format('Hushållet %s', i),
                            'locale', case when i % 10 = 3 then 'nb' when i % 20 = 7 then 'fi' else 'sv' end),
         now(), now()
  from generate_series(first_idx, first_idx + how_many - 1) i;

  insert into bench.orgs (org_id, profile, idx, owner_id, base_currency, travel_currency)
  select o.id, 'household', split_part(split_part(u.email, '@', 1), '-', 2)::integer, u.id, o.base_currency, null
  from auth.users u
  join public.organizations o on o.created_by = u.id
  where u.email like 'household-%@bench.westwallet.test'
    and split_part(split_part(u.email, '@', 1), '-', 2)::integer between first_idx and first_idx + how_many - 1;
  -- One household in five travels abroad.
  update bench.orgs b set travel_currency = case when b.base_currency = 'EUR' then 'SEK' else 'EUR' end
  where b.profile = 'household' and b.idx between first_idx and first_idx + how_many - 1 and b.idx % 5 = 0;
end;
$$;

-- The company: an owner, the organization (through create_organization, as the owner), its own
-- categories, and its generated suppliers and customers.
create function bench.create_company(suppliers integer, customers integer)
returns uuid
language plpgsql
as $$
declare
  owner uuid := gen_random_uuid();
  org uuid;
  prefixes text[] := array['Nordic', 'Svea', 'Berg', 'Lind', 'Ek', 'Norr', 'Väst', 'Syd', 'Öst', 'Alfa', 'Nova', 'Polar',
                           'Kust', 'Fjäll', 'Skog', 'Sjö', 'Stål', 'Glas', 'Sten', 'Järn'];
  trades text[] := array['Logistik', 'Konsult', 'Bygg', 'Data', 'Tryck', 'Förpackning', 'Teknik', 'Trading', 'El',
                         'Verktyg', 'Plast', 'Metall', 'Trä', 'Design', 'Media', 'Frakt', 'Kem', 'Textil', 'Energi', 'Maskin',
                         'Industri', 'Handel', 'System', 'Service', 'Partner'];
begin
  insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                          confirmation_token, recovery_token, email_change_token_new, email_change,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (owner, 'authenticated', 'authenticated', 'company@bench.westwallet.test', '', now(), '', '', '', '',
          '{"provider": "email", "providers": ["email"]}', '{"display_name": "Ekonomichef", "locale": "sv"}', now(), now());
  perform set_config('request.jwt.claims', jsonb_build_object('sub', owner, 'role', 'authenticated')::text, true);
  select o.id into org from public.create_organization('Nordström Grossist AB', 'company', 'SEK', 'sv', null) o;
  perform set_config('request.jwt.claims', '', true);
  insert into bench.orgs (org_id, profile, idx, owner_id, base_currency, travel_currency)
  values (org, 'company', 0, owner, 'SEK', 'EUR');

  insert into public.categories (org_id, kind, key, name)
  select org, c.kind, c.key, c.name from bench.company_categories c where c.parent_key is null;
  insert into public.categories (org_id, kind, parent_id, key, name)
  select org, c.kind, p.id, c.key, c.name
  from bench.company_categories c join public.categories p on p.org_id = org and p.key = c.parent_key;

  -- Names like "Nordic Logistik 17 AB": unique, and searchable by their parts.
  insert into bench.vendor_names (grp, name)
  select 'suppliers', format('%s %s %s AB', prefixes[1 + i % 20], trades[1 + (i / 20) % 25], i) from generate_series(1, suppliers) i
  union all
  select 'customers', format('%s %s Kund %s AB', prefixes[1 + (i * 7) % 20], trades[1 + (i * 3) % 25], i) from generate_series(1, customers) i
  on conflict do nothing;
  return org;
end;
$$;

-- Accounts, vendors, contracts and exchange rates of the organizations `orgs`, through the
-- triggers; then their patterns and recurring payments resolved for the loader.
create function bench.outfit(orgs uuid[], first_day date, last_day date)
returns void
language plpgsql
as $$
begin
  insert into public.accounts (org_id, kind, name, currency, opening_balance_minor, opening_on, institution)
  select b.org_id, a.kind::public.account_kind, a.name, coalesce(a.currency, b.base_currency), a.opening, first_day, a.institution
  from bench.orgs b
  join (values
    ('household', 'main', 'bank', 'Lönekonto', null, 2500000::bigint, 'Swedbank'),
    ('household', 'savings', 'savings', 'Sparkonto', null, 8000000, 'Swedbank'),
    ('household', 'card', 'card', 'Kreditkort', null, 0, 'Swedbank'),
    ('household', 'cash', 'cash', 'Kontanter', null, 50000, null),
    ('company', 'main', 'bank', 'Företagskonto', null, 250000000, 'Handelsbanken'),
    ('company', 'savings', 'savings', 'Skattekonto', null, 10000000, 'Skatteverket'),
    ('company', 'card', 'card', 'Företagskort', null, 0, 'Handelsbanken'),
    ('company', 'eur', 'bank', 'Valutakonto EUR', 'EUR', 5000000, 'Handelsbanken')
  ) as a (profile, role, kind, name, currency, opening, institution) on a.profile = b.profile
  where b.org_id = any (orgs);
  insert into bench.org_accounts (org_id, role, account_id, currency)
  select b.org_id, r.role, a.id, a.currency
  from bench.orgs b
  join public.accounts a on a.org_id = b.org_id
  join (values ('Lönekonto', 'main'), ('Sparkonto', 'savings'), ('Kreditkort', 'card'), ('Kontanter', 'cash'),
               ('Företagskonto', 'main'), ('Skattekonto', 'savings'), ('Företagskort', 'card'), ('Valutakonto EUR', 'eur'))
    as r (name, role) on r.name = a.name
  where b.org_id = any (orgs);

  -- A household knows every everyday payee; the company its own groups.
  insert into public.vendors (org_id, name)
  select b.org_id, n.name
  from bench.orgs b
  join bench.vendor_names n on (b.profile = 'household' and n.grp not in ('suppliers', 'customers', 'business_card', 'software', 'landlord', 'leasing', 'bank'))
                            or (b.profile = 'company' and n.grp in ('suppliers', 'customers', 'business_card', 'software', 'landlord', 'leasing', 'bank', 'electricity', 'insurer'))
  where b.org_id = any (orgs)
  on conflict do nothing;
  insert into bench.org_vendors (org_id, grp, ids, names)
  select b.org_id, n.grp, array_agg(v.id order by n.name), array_agg(v.name order by n.name)
  from bench.orgs b
  join public.vendors v on v.org_id = b.org_id
  join bench.vendor_names n on n.name = v.name
  where b.org_id = any (orgs)
  group by b.org_id, n.grp;

  -- Rates: weekly for a household (the 7-day rule always finds one), each working day for the company.
  insert into public.exchange_rates (org_id, currency, rate_date, rate, source)
  select b.org_id, l.currency, d::date,
         round(l.rate * (1 + 0.04 * sin(extract(epoch from d)::float8 / 86400 / 45) + 0.01 * cos(extract(epoch from d)::float8 / 86400 / 7))::numeric, 6),
         'bench'
  from bench.orgs b
  join bench.rate_levels l on l.base_currency = b.base_currency
    and (l.currency = b.travel_currency or (b.profile = 'company' and l.currency in ('USD', 'NOK', 'DKK')))
  cross join generate_series(first_day - 7, last_day, interval '1 day') d
  where b.org_id = any (orgs) and b.travel_currency is not null
    and case when b.profile = 'company' then extract(isodow from d) < 6 else extract(isodow from d) = 1 end;

  -- Recurring payments this organization has; contracts for those that are contracts.
  insert into bench.org_recurring (org_id, recurring, category_id, vendor_id, vendor_name, account_id, to_account_id)
  select b.org_id, r, c.id, v.ids[1 + floor(bench.pick(b.idx, r.name) * cardinality(v.ids))::integer],
         v.names[1 + floor(bench.pick(b.idx, r.name) * cardinality(v.ids))::integer], a.account_id, t.account_id
  from bench.orgs b
  join bench.recurring r on r.profile = b.profile and bench.pick(b.idx, r.name || ':share') < r.share
  join bench.org_accounts a on a.org_id = b.org_id and a.role = r.account_role
  left join bench.org_accounts t on t.org_id = b.org_id and t.role = r.to_account_role
  left join public.categories c on c.org_id = b.org_id and c.key = r.category_key and c.deleted_at is null
  left join bench.org_vendors v on v.org_id = b.org_id and v.grp = r.vendor_group
  where b.org_id = any (orgs);
  with made as (
    insert into public.contracts (org_id, name, vendor_id, category_id, account_id, amount_minor, currency, frequency,
                                  payment_method, starts_on, first_payment_on, notice_period, notice_period_unit)
    select o.org_id, format('%s %s', (o.recurring).description, o.vendor_name), o.vendor_id, o.category_id, o.account_id,
           (o.recurring).amount_minor, b.base_currency, 'monthly', (o.recurring).payment_method, first_day,
           first_day + ((o.recurring).day_of_month - 1), 3, 'months'
    from bench.org_recurring o join bench.orgs b using (org_id)
    where o.org_id = any (orgs) and (o.recurring).is_contract
    returning org_id, id, vendor_id, name
  )
  update bench.org_recurring o set contract_id = m.id
  from made m
  where m.org_id = o.org_id and m.vendor_id = o.vendor_id and m.name = format('%s %s', (o.recurring).description, o.vendor_name);

  insert into bench.org_patterns (org_id, lower, upper, pattern, category_id, split_category_id, vendor_ids, vendor_names,
                                  account_id, account_currency, to_account_id)
  select w.org_id,
         (sum((w.p).weight) over (partition by w.org_id order by (w.p).name) - (w.p).weight)::double precision / sum((w.p).weight) over (partition by w.org_id),
         sum((w.p).weight) over (partition by w.org_id order by (w.p).name)::double precision / sum((w.p).weight) over (partition by w.org_id),
         w.p, c.id, s.id, v.ids, v.names, a.account_id, a.currency, t.account_id
  from (select b.org_id, p from bench.orgs b join bench.patterns p on p.profile = b.profile where b.org_id = any (orgs)) w
  join bench.org_accounts a on a.org_id = w.org_id and a.role = (w.p).account_role
  left join bench.org_accounts t on t.org_id = w.org_id and t.role = (w.p).to_account_role
  left join public.categories c on c.org_id = w.org_id and c.key = (w.p).category_key and c.deleted_at is null
  left join public.categories s on s.org_id = w.org_id and s.key = (w.p).split_key and s.deleted_at is null
  left join bench.org_vendors v on v.org_id = w.org_id and v.grp = (w.p).vendor_group;
end;
$$;

-- Drafts ---------------------------------------------------------------------------------------
-- A session collects an organization's drafts in pg_temp.draft (bench.begin_drafts), then
-- commits them (bench.commit_drafts). PL/pgSQL, so the temporary table is looked up when a
-- function runs, not when it is created.

create function bench.begin_drafts()
returns void
language plpgsql
as $$
begin
  create temporary table if not exists draft (
    booked_on date not null,
    kind public.transaction_kind not null,
    amount_minor bigint not null,
    currency text not null,
    account_id uuid,
    account_currency text,
    to_account_id uuid,
    vendor_id uuid,
    counterparty text,
    category_id uuid,
    split_category_id uuid,
    description text,
    notes text,
    payment_method public.payment_method,
    contract_id uuid,
    is_split boolean not null,
    r double precision not null
  );
  truncate pg_temp.draft;
end;
$$;

-- One payment per month on its day (the month's last day when shorter) for every recurring
-- payment of the organization; electricity follows the seasons.
create function bench.draw_recurring(org uuid, first_day date, last_day date)
returns void
language plpgsql
as $$
begin
  insert into pg_temp.draft
  select d.booked_on, (o.recurring).kind,
         round((o.recurring).amount_minor * (1 + (o.recurring).seasonal * cos(2 * pi() * (extract(month from d.booked_on) - 1) / 12))
               * (0.97 + 0.06 * random()))::bigint,
         b.base_currency, o.account_id, b.base_currency, o.to_account_id, o.vendor_id, o.vendor_name, o.category_id, null,
         (o.recurring).description, null, (o.recurring).payment_method, o.contract_id, false, random()
  from bench.org_recurring o
  join bench.orgs b using (org_id)
  cross join lateral (
    select least(m::date + ((o.recurring).day_of_month - 1), (m + interval '1 month' - interval '1 day')::date) as booked_on
    from generate_series(date_trunc('month', first_day), last_day, interval '1 month') m
  ) d
  where o.org_id = org and d.booked_on between first_day and last_day;
end;
$$;

-- `how_many` everyday transactions on random days, each after a pattern drawn by weight.
create function bench.draw_transactions(org uuid, how_many integer, first_day date, last_day date)
returns void
language plpgsql
as $$
declare
  notes text[] := array['Kvitto sparat', 'Delas med Anna', 'Reklamerad', 'Till jobbet', 'Present till mamma', 'Retur gjord'];
begin
  -- Materialized: a join may scan it again, and must not draw new numbers when it does.
  with x as materialized (
    select random() as r_pick, random() as r_day, random() as r_amount, random() as r_vendor, random() as r_cur,
           random() as r_split, random() as r_desc, random() as r
    from generate_series(1, how_many)
  )
  insert into pg_temp.draft
  select d.booked_on, (p.pattern).kind, d.amount_minor, d.currency,
         coalesce(fa.account_id, p.account_id), coalesce(fa.currency, p.account_currency), p.to_account_id,
         p.vendor_ids[d.vendor_no], p.vendor_names[d.vendor_no],
         p.category_id, case when d.is_split then p.split_category_id end,
         (p.pattern).descriptions[1 + floor(d.r_desc * cardinality((p.pattern).descriptions))::integer]
           || case when (p.pattern).payment_method = 'invoice' then ' ' || (10000 + floor(d.r_desc * 1e9)::bigint % 90000) else '' end,
         case when d.r_desc < 0.05 then notes[1 + floor(d.r_desc * 20 * cardinality(notes))::integer] end,
         (p.pattern).payment_method, null, d.is_split, d.r
  from (
    select x.r_pick, x.r_desc, x.r, first_day + floor(x.r_day * (last_day - first_day + 1))::integer as booked_on,
           case when x.r_cur < (p.pattern).foreign_share and b.travel_currency is not null then b.travel_currency else b.base_currency end as currency,
           greatest(100, round(((p.pattern).min_minor + ((p.pattern).max_minor - (p.pattern).min_minor) * x.r_amount * x.r_amount)
                               / case when x.r_cur < (p.pattern).foreign_share and b.travel_currency is not null then l.rate else 1 end))::bigint as amount_minor,
           1 + floor(x.r_vendor * x.r_vendor * coalesce(cardinality(p.vendor_ids), 0))::integer as vendor_no,
           x.r_split < (p.pattern).split_share and (p.pattern).kind = 'expense' and (p.pattern).min_minor >= 200 as is_split,
           p.lower
    from x
    join bench.org_patterns p on p.org_id = org and x.r_pick >= p.lower and x.r_pick < p.upper
    join bench.orgs b on b.org_id = org
    left join bench.rate_levels l on l.base_currency = b.base_currency and l.currency = b.travel_currency
  ) d
  join bench.org_patterns p on p.org_id = org and p.lower = d.lower
  -- A foreign purchase is paid from an account in that currency when there is one.
  left join bench.org_accounts fa on fa.org_id = org and fa.role = 'eur' and fa.currency = d.currency and (p.pattern).kind <> 'transfer';
end;
$$;

-- Writes the session's drafts as the organization's transactions, oldest first, with what the
-- triggers would have set: reference, stamps, the rate and base amount (by the triggers' own
-- private.to_base), what the accounts moved, split parts, and an audit row for each new row.
-- Runs with session_replication_role = replica, so no trigger fires; the monthly totals are
-- rebuilt afterwards (bench.finish_org).
create function bench.commit_drafts(org uuid)
returns integer
language plpgsql
as $$
declare
  o bench.orgs;
  seq regclass := private.reference_sequence(org)::regclass;
  first_no bigint;
  drafted integer;
begin
  if current_setting('session_replication_role') <> 'replica' then
    raise exception 'bench.commit_drafts runs with session_replication_role = replica';
  end if;
  select * into o from bench.orgs b where b.org_id = org;
  select count(*) into drafted from pg_temp.draft;
  if drafted = 0 then
    return 0;
  end if;
  -- Two loaders may write one organization: its block of references is taken by one at a time.
  perform pg_advisory_xact_lock(hashtext(org::text));
  first_no := nextval(seq);
  perform setval(seq, first_no + drafted - 1);

  with numbered as (
    select d.*, first_no - 1 + row_number() over (order by d.booked_on, d.r) as no
    from pg_temp.draft d
  ),
  priced as (
    select n.*, coalesce(fx.fx_rate, 1) as fx_rate, coalesce(fx.base_minor, n.amount_minor) as base_minor
    from numbered n
    left join lateral (
      select b.fx_rate, b.base_minor
      from private.to_base(org, n.amount_minor, n.currency, n.booked_on, null, null, null, null) b
      where n.currency <> o.base_currency
    ) fx on true
  ),
  inserted as (
    insert into public.transactions (
      org_id, kind, booked_on, amount_minor, currency, fx_rate, base_amount_minor, account_id, account_amount_minor,
      to_account_id, to_amount_minor, vendor_id, counterparty, category_id, description, notes, payment_method,
      contract_id, is_split, reference, created_at, created_by, updated_at, updated_by
    )
    select org, p.kind, p.booked_on, p.amount_minor, p.currency, p.fx_rate, p.base_minor, p.account_id,
           case when p.account_currency = p.currency then p.amount_minor else p.base_minor end,
           p.to_account_id, case when p.kind = 'transfer' then p.amount_minor end,
           case when p.kind <> 'transfer' then p.vendor_id end, case when p.kind <> 'transfer' then p.counterparty end,
           case when p.is_split then null else p.category_id end, p.description, p.notes, p.payment_method, p.contract_id, p.is_split,
           private.format_reference(p.no), s.stamp, o.owner_id, s.stamp, o.owner_id
    from priced p
    cross join lateral (select p.booked_on + time '08:00' + p.r * interval '12 hours' as stamp) s
    order by p.no
    returning *
  ),
  parts as (
    -- Two parts, from even to 70/30, the first in the pattern's category.
    insert into public.transaction_splits (org_id, transaction_id, position, category_id, amount_minor)
    select org, i.id, x.position, x.category_id, x.amount_minor
    from inserted i
    join priced p on i.is_split and i.reference = private.format_reference(p.no)
    cross join lateral (select round(p.amount_minor * (0.5 + 0.2 * p.r))::bigint as first_part) f
    cross join lateral (values (1::smallint, p.category_id, f.first_part),
                               (2::smallint, p.split_category_id, p.amount_minor - f.first_part)) x (position, category_id, amount_minor)
    returning *
  ),
  logged_parts as (
    insert into public.audit_log (org_id, table_name, record_id, operation, new_values, actor_id, actor_role, session_role)
    select org, 'transaction_splits', s.id, 'INSERT', to_jsonb(s), o.owner_id, 'authenticated', 'authenticator'
    from parts s
  )
  insert into public.audit_log (org_id, table_name, record_id, operation, new_values, actor_id, actor_role, session_role, created_at)
  select org, 'transactions', i.id, 'INSERT', to_jsonb(i), o.owner_id, 'authenticated', 'authenticator', i.created_at
  from inserted i
  order by i.reference;
  return drafted;
end;
$$;

-- One job of the loader: an organization's recurring payments between the two days, and
-- everyday transactions up to `how_many` in all.
create function bench.load_org(org uuid, how_many integer, first_day date, last_day date)
returns integer
language plpgsql
as $$
begin
  perform bench.begin_drafts();
  perform bench.draw_recurring(org, first_day, last_day);
  perform bench.draw_transactions(org, greatest(0, how_many - (select count(*) from pg_temp.draft))::integer, first_day, last_day);
  return bench.commit_drafts(org);
end;
$$;

-- Checks ---------------------------------------------------------------------------------------

-- Rows of `target` whose composite foreign keys point at nothing: the load ran without the
-- foreign-key triggers, so it proves here that it broke none.
create function bench.dangling_references(target regclass)
returns table (constraint_name text, dangling bigint)
language plpgsql
as $$
declare
  fk record;
  found bigint;
begin
  for fk in
    select c.conname, c.confrelid::regclass as referenced,
           array_agg(a.attname order by k.n) as columns, array_agg(r.attname order by k.n) as referenced_columns
    from pg_constraint c
    cross join lateral unnest(c.conkey, c.confkey) with ordinality as k (attnum, ref_attnum, n)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
    join pg_attribute r on r.attrelid = c.confrelid and r.attnum = k.ref_attnum
    where c.conrelid = target and c.contype = 'f'
    group by c.conname, c.confrelid
  loop
    execute format(
      'select count(*) from %s t where (%s) is not null and not exists (select from %s r where (%s) = (%s))',
      target,
      (select string_agg(format('t.%I', c), ', ') from unnest(fk.columns) c),
      fk.referenced,
      (select string_agg(format('r.%I', c), ', ') from unnest(fk.referenced_columns) c),
      (select string_agg(format('t.%I', c), ', ') from unnest(fk.columns) c)
    ) into found;
    constraint_name := fk.conname;
    dangling := found;
    return next;
  end loop;
end;
$$;

-- What the loaded data must satisfy beyond its foreign keys; each row counts the failures.
create function bench.load_problems()
returns table (problem text, failures bigint)
language sql
as $$
  select 'split parts that do not sum to their transaction', count(*)
  from public.transactions t
  where t.is_split and t.amount_minor is distinct from (select sum(s.amount_minor) from public.transaction_splits s where s.transaction_id = t.id)
  union all
  select 'transactions without an audit row', count(*)
  from public.transactions t
  where not exists (select from public.audit_log a where a.org_id = t.org_id and a.table_name = 'transactions' and a.record_id = t.id)
  union all
  -- The next reference must come after every loaded one, or the next insert fails.
  select 'organizations whose reference sequence is behind their records', count(*)
  from bench.orgs b
  cross join lateral (
    select max((ascii(left(t.reference, 1)) - 65) * 999999 + right(t.reference, 6)::bigint) as last_no
    from public.transactions t where t.org_id = b.org_id
  ) m
  cross join lateral (select private.reference_sequence(b.org_id) as seq) s
  where m.last_no > (select pg_sequence_last_value(s.seq::regclass));
$$;
