-- Local demo data, applied by `npm start` on a new database and by `npm run db:reset`
-- (and by `supabase db reset` on a Docker stack). Never runs on a hosted project.

-- The demo login printed by `npm start`: demo@westwallet.app / westwallet-demo.
-- Token columns are '' rather than null because GoTrue cannot read null tokens.
insert into auth.users (
  id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
) values (
  'd3e40000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'demo@westwallet.app',
  extensions.crypt('westwallet-demo', extensions.gen_salt('bf', 10)), now(),
  '', '', '', '',
  '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo", "locale": "sv", "household_name": "Familjen Demo"}', now(), now()
);

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'd3e40000-0000-4000-8000-000000000002', 'd3e40000-0000-4000-8000-000000000001', 'd3e40000-0000-4000-8000-000000000001',
  '{"sub": "d3e40000-0000-4000-8000-000000000001", "email": "demo@westwallet.app", "email_verified": true}',
  'email', now(), now(), now()
);

-- The demo household (created by the sign-up trigger above) gets a few tags.
insert into public.tags (org_id, name, color)
select o.id, t.name, t.color
from public.organizations o
cross join (values ('Mat', '#2e7d32'), ('Bil', '#1565c0'), ('Barn', '#f9a825'), ('Semester', '#6a1b9a')) as t (name, color)
where o.created_by = 'd3e40000-0000-4000-8000-000000000001';

-- A believable year of money for the demo household, in SEK, ending today: two salaries,
-- child benefit, a mortgage with amortization, electricity that follows the seasons, groceries at
-- the Nordic chains, restaurants, streaming, commuting, a summer trip paid in euros, savings.
-- Random but repeatable (setseed), inserted through every trigger like the app's own writes.
-- This month's pattern runs only up to today: what falls later (the salaries on the 25th, say)
-- has not happened yet.
do $$
declare
  org uuid := (select id from public.organizations where created_by = 'd3e40000-0000-4000-8000-000000000001');
  checking uuid;
  savings uuid;
  card uuid;
  mortgage uuid;
  first_month date := (date_trunc('month', current_date) - interval '11 months')::date;
  m date;
  d date;
  cat jsonb;
  receipt uuid;
  trip_tag uuid := (select id from public.tags where org_id = org and name = 'Semester');
  child_tag uuid := (select id from public.tags where org_id = org and name = 'Barn');
  shops text[] := array['ICA Maxi Lindhagen', 'Coop Konsum Fridhemsplan', 'Willys Sabbatsberg', 'Lidl Sankt Eriksplan', 'Hemköp Torsplan'];
  places text[] := array['Max Burgers', 'Espresso House', 'Pizzeria Il Forno', 'Sushi Yama', 'Vapiano'];
begin
  -- Written as the demo user, as the app would (created_by, the audit log's actor).
  perform set_config('request.jwt.claims', '{"sub": "d3e40000-0000-4000-8000-000000000001", "role": "authenticated"}', true);
  perform setseed(0.42);
  select jsonb_object_agg(c.key, c.id) into cat from public.categories c where c.org_id = org;
  insert into public.accounts (org_id, kind, name, currency, opening_balance_minor, opening_on, institution, number_hint)
  values (org, 'bank', 'Lönekonto', 'SEK', 2450000, first_month, 'Swedbank', '•• 4821') returning id into checking;
  insert into public.accounts (org_id, kind, name, currency, opening_balance_minor, opening_on, institution)
  values (org, 'savings', 'Buffert', 'SEK', 8500000, first_month, 'Swedbank') returning id into savings;
  insert into public.accounts (org_id, kind, name, currency, opening_balance_minor, opening_on, institution, number_hint)
  values (org, 'card', 'Kreditkort', 'SEK', 0, first_month, 'SEB', '•• 0917') returning id into card;
  insert into public.accounts (org_id, kind, name, currency, opening_balance_minor, opening_on, institution)
  values (org, 'loan', 'Bolån', 'SEK', -185000000, first_month, 'SBAB') returning id into mortgage;
  update public.categories set monthly_budget_minor = v.budget
  from (values ('food', 900000), ('restaurants', 150000), ('leisure', 200000), ('shopping', 250000)) as v (key, budget)
  where org_id = org and categories.key = v.key;

  for i in 0..11 loop
    m := (first_month + make_interval(months => i))::date;
    -- Salaries, child benefit, and where the money goes from the salary account.
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
    select org, v.kind::public.transaction_kind, v.booked_on, v.amount_minor, 'SEK', v.account_id, v.counterparty,
           (cat ->> v.category)::uuid, v.payment_method::public.payment_method
    from (values
      ('income', m + 24, 3850000, checking, 'Region Stockholm', 'salary', 'bank_transfer'),
      ('income', m + 24, 3420000, checking, 'Ericsson AB', 'salary', 'bank_transfer'),
      ('income', m + 19, 125000, checking, 'Försäkringskassan', 'benefits', 'bank_transfer'),
      ('expense', m + 27, 520000 - i * 3000, checking, 'SBAB', 'rent_mortgage', 'direct_debit'),
      ('expense', m + 27, 62000 + (150000 * (1 + cos(pi() * extract(month from m) / 6)) / 2)::bigint, checking, 'Tibber', 'utilities', 'direct_debit'),
      ('expense', m + 27, 39900, checking, 'Bahnhof', 'internet_phone', 'direct_debit'),
      ('expense', m + 27, 49800, checking, 'Telia', 'internet_phone', 'direct_debit'),
      ('expense', m + 27, 168800, checking, 'Stockholms stad förskola', 'childcare', 'invoice'),
      ('expense', m, 28500, checking, 'Folksam', 'insurance', 'direct_debit'),
      ('expense', m, 54000, checking, 'If Skadeförsäkring', 'insurance', 'direct_debit'),
      ('expense', m + 1, 97000, card, 'SL', 'public_transport', 'card'),
      ('expense', m + 1, 97000, card, 'SL', 'public_transport', 'card'),
      ('expense', m + 4, 14900, card, 'Netflix', 'streaming', 'card'),
      ('expense', m + 9, 20900, card, 'Spotify', 'streaming', 'card'),
      ('expense', m + 14, 44900, card, 'Viaplay', 'streaming', 'card'),
      ('expense', m + 2, 59900, card, 'SATS', 'sports', 'card')
    ) as v (kind, booked_on, amount_minor, account_id, counterparty, category, payment_method)
    where v.booked_on <= current_date;
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, to_account_id, description)
    select org, 'transfer', v.booked_on, v.amount_minor, 'SEK', checking, v.to_account_id, v.description
    from (values
      (m + 27, 250000, mortgage, 'Amortering'),
      (m + 25, 300000, savings, 'Månadssparande')
    ) as v (booked_on, amount_minor, to_account_id, description)
    where v.booked_on <= current_date;
    -- Groceries about three times a week, restaurants and fuel now and then.
    for n in 1..13 loop
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      select org, 'expense', d, 15000 + (random() * 165000)::bigint, 'SEK', card, shops[1 + (random() * 4)::integer], (cat ->> 'groceries')::uuid, 'card'
      where d <= current_date;
    end loop;
    for n in 1..4 loop
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      select org, 'expense', d, 6500 + (random() * 80000)::bigint, 'SEK', card, places[1 + (random() * 4)::integer], (cat ->> 'restaurants')::uuid, 'card'
      where d <= current_date;
    end loop;
    for n in 1..2 loop
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      select org, 'expense', d, 60000 + (random() * 30000)::bigint, 'SEK', card,
             (array['Circle K', 'Preem', 'OKQ8'])[1 + (random() * 2)::integer], (cat ->> 'fuel_charging')::uuid, 'card'
      where d <= current_date;
    end loop;
    if random() < 0.5 then
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      select org, 'expense', d, 9900 + (random() * 40000)::bigint, 'SEK', card, 'Apotek Hjärtat', (cat ->> 'pharmacy')::uuid, 'card'
      where d <= current_date;
    end if;
    if random() < 0.4 then
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      select org, 'expense', d, 29900 + (random() * 150000)::bigint, 'SEK', card,
             (array['H&M', 'Lindex', 'KappAhl'])[1 + (random() * 2)::integer], (cat ->> 'clothing')::uuid, 'card'
      where d <= current_date;
    end if;
    -- The card bill, paid from the salary account.
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, to_account_id, description)
    select org, 'transfer', m + 27, 1200000, 'SEK', checking, card, 'Kortfaktura'
    where m + 27 <= current_date;
  end loop;

  -- One big IKEA receipt, split between home and food; a new TV with its warranty to come.
  insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, description, payment_method)
  values (org, 'expense', first_month + 40, 389500, 'SEK', card, 'IKEA Barkarby', 'Bokhylla, kastruller och köttbullar', 'card')
  returning id into receipt;
  perform public.set_transaction_splits(receipt, jsonb_build_array(
    jsonb_build_object('category_id', cat ->> 'home_furnishing', 'amount_minor', 349500, 'note', 'Billy och kastruller'),
    jsonb_build_object('category_id', cat ->> 'restaurants', 'amount_minor', 40000, 'note', 'Restaurangen')));
  insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, description, category_id, payment_method)
  values (org, 'expense', first_month + 95, 1299000, 'SEK', card, 'Elgiganten', 'Samsung 55" TV', (cat ->> 'electronics')::uuid, 'card');

  -- The summer trip to Mallorca, partly paid in euros; if it is under way today, only so far.
  d := make_date(extract(year from first_month + interval '11 months')::integer, 7, 8);
  if d > current_date then d := d - interval '1 year'; end if;
  insert into public.exchange_rates (org_id, currency, rate_date, rate, source)
  select org, 'EUR', x::date, 11.38 + 0.02 * extract(dow from x), 'ECB'
  from generate_series(d - 3, least(d + 10, current_date), interval '1 day') x;
  insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, description, category_id, payment_method)
  select org, 'expense', v.booked_on, v.amount_minor, v.currency, card, v.counterparty, v.description, (cat ->> v.category)::uuid, 'card'
  from (values
    (d - 30, 890000, 'SEK', 'SAS', 'Flyg Palma t/r', 'travel'),
    (d + 7, 82000, 'EUR', 'Hotel Palma Bellver', '7 nätter', 'travel'),
    (d + 2, 6450, 'EUR', 'Restaurante Es Baluard', null, 'restaurants'),
    (d + 4, 3800, 'EUR', 'Mercadona', null, 'groceries')
  ) as v (booked_on, amount_minor, currency, counterparty, description, category)
  where v.booked_on <= current_date;
  insert into public.transaction_tags (org_id, transaction_id, tag_id)
  select org, t.id, trip_tag from public.transactions t where t.org_id = org and (t.currency = 'EUR' or t.counterparty = 'SAS');
  insert into public.transaction_tags (org_id, transaction_id, tag_id)
  select org, t.id, child_tag from public.transactions t where t.org_id = org and t.counterparty = 'Stockholms stad förskola';
end;
$$;
-- Contracts and subscriptions -----------------------------------------------------------------
-- The demo household's recurring costs, dated from the first of this month so that payments,
-- notice deadlines and endings are always near (Telia's binding period ends in two months, so its
-- notice deadline falls within the next 30 days; Viaplay is under notice). Categories are the
-- default tree's, by key.
insert into public.vendors (org_id, name)
select o.id, v.name
from public.organizations o
cross join (values ('SBAB'), ('Tibber'), ('Ellevio'), ('Bahnhof'), ('Telia'), ('Verisure'), ('Netflix'), ('Spotify'),
                   ('Viaplay'), ('SATS'), ('Dagens Nyheter')) as v (name)
where o.created_by = 'd3e40000-0000-4000-8000-000000000001'
on conflict (org_id, normalized_name) where deleted_at is null do nothing;

insert into public.contracts (
  org_id, name, vendor_id, category_id, amount_minor, currency, frequency, payment_method,
  starts_on, first_payment_on, binding_ends_on, notice_period, notice_period_unit, auto_renews,
  renewal_months, status, notice_given_on, ends_on, notes
)
select o.id, c.name, v.id, cat.id, c.amount_minor, 'SEK', c.frequency::public.contract_frequency,
       c.payment_method::public.payment_method, s.starts_on, s.starts_on + (c.payment_day - 1),
       (s.starts_on + make_interval(months => c.binding_months) - interval '1 day')::date,
       c.notice_period, c.notice_unit::public.notice_period_unit, c.auto_renews, c.renewal_months,
       c.status::public.contract_status,
       case when c.status = 'notice_given' then current_date - 5 end,
       case when c.status = 'notice_given' then (date_trunc('month', current_date) + interval '1 month - 1 day')::date end,
       c.notes
from public.organizations o
cross join (values
  ('Bolån', 'SBAB', 'rent_mortgage', 945000, 'monthly', 'direct_debit', 38, 28, null, 0, 'months', true, null, 'active', 'Ränta och amortering; räntebindning 3 år.'),
  ('Elavtal', 'Tibber', 'utilities', 89000, 'monthly', 'direct_debit', 14, 28, null, 1, 'months', true, null, 'active', 'Timpris; beloppet är ett snitt.'),
  ('Elnät', 'Ellevio', 'utilities', 42000, 'monthly', 'invoice', 38, 27, null, 0, 'months', true, null, 'active', null),
  ('Bredband 250/250', 'Bahnhof', 'internet_phone', 39900, 'monthly', 'invoice', 4, 1, 12, 1, 'months', true, null, 'active', null),
  ('Mobilabonnemang', 'Telia', 'internet_phone', 29900, 'monthly', 'direct_debit', 22, 25, 24, 1, 'months', true, null, 'active', '2 SIM-kort, 40 GB delad surf.'),
  ('Hemlarm', 'Verisure', 'home_maintenance', 44900, 'monthly', 'direct_debit', 30, 1, 36, 3, 'months', true, 12, 'active', null),
  ('Netflix Standard', 'Netflix', 'streaming', 14900, 'monthly', 'card', 26, 14, null, 0, 'months', true, null, 'active', null),
  ('Spotify Family', 'Spotify', 'streaming', 23900, 'monthly', 'card', 40, 3, null, 0, 'months', true, null, 'active', null),
  ('Viaplay Total', 'Viaplay', 'streaming', 44900, 'monthly', 'card', 6, 9, null, 0, 'months', true, null, 'notice_given', 'Sägs upp efter säsongen.'),
  ('Gymkort', 'SATS', 'sports', 59900, 'monthly', 'direct_debit', 9, 1, 12, 1, 'months', true, null, 'active', null),
  ('DN Digital', 'Dagens Nyheter', 'subscriptions', 79700, 'quarterly', 'card', 11, 15, null, 0, 'months', true, null, 'active', null)
) as c (name, vendor, category_key, amount_minor, frequency, payment_method, start_months_ago, payment_day,
        binding_months, notice_period, notice_unit, auto_renews, renewal_months, status, notes)
cross join lateral (
  select (date_trunc('month', current_date) - make_interval(months => c.start_months_ago))::date as starts_on
) s
join public.categories cat on cat.org_id = o.id and cat.key = c.category_key
join public.vendors v on v.org_id = o.id and v.normalized_name = private.normalize_vendor_name(c.vendor)
where o.created_by = 'd3e40000-0000-4000-8000-000000000001';

-- The payments made: the year's expenses at each contract's vendor are its payments, so the
-- dashboard can tell fixed costs from variable ones.
update public.transactions t set contract_id = c.id
from public.contracts c
where c.org_id = t.org_id and c.vendor_id = t.vendor_id and t.kind = 'expense'
  and t.org_id = (select id from public.organizations where created_by = 'd3e40000-0000-4000-8000-000000000001');
-- Home: vehicles, warranties, insurances, maintenance ---------------------------------------
-- The demo household's car (a plug-in hybrid, so both fuel and charging), home, warranties,
-- insurances and upkeep, dated relative to today so the "expiring", "renewing" and "due" lists
-- always have something in them.
do $seed$
declare
  org uuid := (select o.id from public.organizations o where o.created_by = 'd3e40000-0000-4000-8000-000000000001');
  today date := current_date;
  car uuid;
  home uuid;
  filter_task uuid;
  heat_pump_task uuid;
  tyre_task uuid;
begin
  insert into public.properties (org_id, kind, tenure, name, address, postal_code, city, country, purchased_on, purchase_price_minor, currency)
  values (org, 'house', 'owned', 'Villa Solbacken', 'Solbackevägen 12', '752 36', 'Uppsala', 'SE', '2019-06-14', 425000000, 'SEK')
  returning id into home;

  insert into public.vehicles (org_id, kind, registration, make, model, model_year, fuel, name, purchased_on, purchase_price_minor, currency)
  values (org, 'car', 'MLB 47K', 'Volvo', 'V60 Recharge T6', 2022, 'plug_in_hybrid', 'Familjebilen', '2022-09-02', 58990000, 'SEK')
  returning id into car;

  -- A year of driving, about 45 km a day: the odometer is a function of the date, so it never
  -- goes backwards.
  insert into public.vehicle_events (org_id, vehicle_id, kind, occurred_on, odometer_km, amount_minor, currency, litres, kwh, notes)
  select org, car, e.kind::public.vehicle_event_kind, today - e.days_ago, 41200 + (365 - e.days_ago) * 45,
         e.amount_minor, 'SEK', e.litres, e.kwh, e.notes
  from (
    -- Fuel every three weeks at about 18.90 kr/l.
    select 'fuel' as kind, d as days_ago, round((28 + (d % 9)) * 1890)::bigint as amount_minor,
           (28 + (d % 9))::numeric(10, 3) as litres, null::numeric(10, 3) as kwh, null as notes
    from generate_series(357, 0, -21) d
    union all
    -- Public fast charging every ten days at about 3.90 kr/kWh (home charging is on the electricity bill).
    select 'charging', d, round((9 + (d % 6) + 0.5) * 390)::bigint, null, (9 + (d % 6) + 0.5)::numeric(10, 3), null
    from generate_series(362, 2, -10) d
    union all
    select 'insurance', d, 49800, null, null, 'Volvia helförsäkring' from generate_series(350, 0, -30) d
    union all
    select * from (values
      ('service', 200, 489000::bigint, null::numeric, null::numeric, 'Årsservice hos Volvo Bilia'),
      ('inspection', 150, 55000, null, null, 'Besiktning utan anmärkning'),
      ('tyres', 220, 65000, null, null, 'Skifte till vinterdäck'),
      ('tyres', 40, 65000, null, null, 'Skifte till sommardäck'),
      ('repair', 90, 120000, null, null, 'Stenskott i vindrutan lagat'),
      ('tax', 300, 36000, null, null, 'Fordonsskatt'),
      ('parking', 310, 8000, null, null, 'Arlanda P-hus'),
      ('parking', 180, 4500, null, null, null),
      ('parking', 65, 12000, null, null, 'Stockholm city'),
      ('toll', 240, 4500, null, null, 'Trängselskatt'),
      ('toll', 120, 6000, null, null, 'Trängselskatt'),
      ('toll', 25, 3000, null, null, 'Trängselskatt')
    ) v (kind, days_ago, amount_minor, litres, kwh, notes)
  ) e;

  insert into public.warranties (org_id, product, seller, purchased_on, price_minor, currency, warranty_months, ends_on, serial_number, notes)
  values
    (org, 'Diskmaskin Bosch Serie 6', 'Elgiganten', today - 700, 799000, 'SEK', 24, null, 'SMV6ZCX42E/4471', 'Installerad av Elgigantens montör'),
    (org, 'TV Samsung 55" QLED', 'Webhallen', today - 200, 1299000, 'SEK', 36, null, '0B7H3CTW600412', null),
    (org, 'Mobiltelefon iPhone 15', 'Apple Store', today - 330, 1099500, 'SEK', null, today - 330 + 365, 'F2LXK9Q1P0', 'Ett års garanti; reklamationsrätt tre år');

  insert into public.insurances (org_id, kind, name, insurer, policy_number, premium_minor, currency, frequency, deductible_minor,
                                 starts_on, renews_on, coverage_notes, property_id, vehicle_id)
  values
    (org, 'home', 'Villahemförsäkring', 'Länsförsäkringar', 'LF-VH-4471902', 498000, 'SEK', 'yearly', 300000,
     '2019-06-14', today + 45, 'Villa och lösöre, allrisk, reseskydd 45 dagar', home, null),
    (org, 'car', 'Helförsäkring', 'Volvia', 'VOL-883301-22', 49800, 'SEK', 'monthly', 350000,
     '2022-09-02', today + 120, 'Hel, vagnskada, glasruta, räddning', null, car),
    (org, 'pet', 'Hundförsäkring Sigge', 'Agria Djurförsäkring', 'AG-2213945', 38900, 'SEK', 'monthly', 250000,
     today - 345, today + 20, 'Veterinärvård 120 000 kr per år, liv 15 000 kr', null, null);

  insert into public.maintenance_tasks (org_id, title, notes, property_id, vehicle_id, interval_months, starts_on, last_done_on, estimated_cost_minor, currency)
  values
    (org, 'Byt ventilationsfilter', 'FTX-aggregatet i tvättstugan, filter F7/G4', home, null, 6, today - 400, null, 69000, 'SEK'),
    (org, 'Rensa hängrännor', 'Före vintern; stegen står i garaget', home, null, 12, null, today - 380, null, null),
    (org, 'Serva värmepumpen', 'Luft/vatten, service var annat år', home, null, 24, today - 450, null, 250000, 'SEK'),
    (org, 'Byt däck (sommar/vinter)', null, null, car, 6, today - 250, null, 65000, 'SEK');
  select t.id into filter_task from public.maintenance_tasks t where t.org_id = org and t.title = 'Byt ventilationsfilter';
  select t.id into heat_pump_task from public.maintenance_tasks t where t.org_id = org and t.title = 'Serva värmepumpen';
  select t.id into tyre_task from public.maintenance_tasks t where t.org_id = org and t.title = 'Byt däck (sommar/vinter)';

  -- Completions move each task's schedule forward (last_done_on, next_due_on).
  insert into public.maintenance_logs (org_id, task_id, done_on, cost_minor, currency, notes)
  values
    (org, filter_task, today - 350, 69000, 'SEK', null),
    (org, filter_task, today - 170, 72000, 'SEK', 'Filter från Clas Ohlson'),
    (org, heat_pump_task, today - 400, 235000, 'SEK', 'Service av Nibe-installatör'),
    (org, tyre_task, today - 220, null, null, 'Skifte till vinterdäck'),
    (org, tyre_task, today - 40, null, null, 'Skifte till sommardäck');
end;
$seed$;

-- Webhooks: a development stack's receivers run on this machine (docs/webhooks.md, "Locally").
-- The seed never runs on a hosted project, where loopback stays refused.
update private.webhook_settings set allow_loopback = true;

-- Notifications (docs/notifications.md): the alarm contract, with three months' notice, reminds
-- four months, one month and a week ahead; then the reminders due today are computed, so the demo
-- starts with notifications in the app and reminder mail in the catcher (Swedish, the demo's
-- language).
update public.contracts c set reminder_days = '{120,30,7}'
where c.name = 'Hemlarm'
  and c.org_id = (select id from public.organizations where created_by = 'd3e40000-0000-4000-8000-000000000001');

select private.run_reminders();
