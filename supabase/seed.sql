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

-- A believable year of money for the demo household, in SEK, ending this month: two salaries,
-- child benefit, a mortgage with amortization, electricity that follows the seasons, groceries at
-- the Nordic chains, restaurants, streaming, commuting, a summer trip paid in euros, savings.
-- Random but repeatable (setseed), inserted through every trigger like the app's own writes.
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
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method) values
      (org, 'income', m + 24, 3850000, 'SEK', checking, 'Region Stockholm', (cat ->> 'salary')::uuid, 'bank_transfer'),
      (org, 'income', m + 24, 3420000, 'SEK', checking, 'Ericsson AB', (cat ->> 'salary')::uuid, 'bank_transfer'),
      (org, 'income', m + 19, 125000, 'SEK', checking, 'Försäkringskassan', (cat ->> 'benefits')::uuid, 'bank_transfer'),
      (org, 'expense', m + 27, 520000 - i * 3000, 'SEK', checking, 'SBAB', (cat ->> 'rent_mortgage')::uuid, 'direct_debit'),
      (org, 'expense', m + 27, 62000 + (150000 * (1 + cos(pi() * extract(month from m) / 6)) / 2)::bigint, 'SEK', checking, 'Tibber', (cat ->> 'utilities')::uuid, 'direct_debit'),
      (org, 'expense', m + 27, 39900, 'SEK', checking, 'Bahnhof', (cat ->> 'internet_phone')::uuid, 'direct_debit'),
      (org, 'expense', m + 27, 49800, 'SEK', checking, 'Telia', (cat ->> 'internet_phone')::uuid, 'direct_debit'),
      (org, 'expense', m + 27, 168800, 'SEK', checking, 'Stockholms stad förskola', (cat ->> 'childcare')::uuid, 'invoice'),
      (org, 'expense', m, 28500, 'SEK', checking, 'Folksam', (cat ->> 'insurance')::uuid, 'direct_debit'),
      (org, 'expense', m, 54000, 'SEK', checking, 'If Skadeförsäkring', (cat ->> 'insurance')::uuid, 'direct_debit'),
      (org, 'expense', m + 1, 97000, 'SEK', card, 'SL', (cat ->> 'public_transport')::uuid, 'card'),
      (org, 'expense', m + 1, 97000, 'SEK', card, 'SL', (cat ->> 'public_transport')::uuid, 'card'),
      (org, 'expense', m + 4, 14900, 'SEK', card, 'Netflix', (cat ->> 'streaming')::uuid, 'card'),
      (org, 'expense', m + 9, 20900, 'SEK', card, 'Spotify', (cat ->> 'streaming')::uuid, 'card'),
      (org, 'expense', m + 14, 44900, 'SEK', card, 'Viaplay', (cat ->> 'streaming')::uuid, 'card'),
      (org, 'expense', m + 2, 59900, 'SEK', card, 'SATS', (cat ->> 'sports')::uuid, 'card');
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, to_account_id, description) values
      (org, 'transfer', m + 27, 250000, 'SEK', checking, mortgage, 'Amortering'),
      (org, 'transfer', m + 25, 300000, 'SEK', checking, savings, 'Månadssparande');
    -- Groceries about three times a week, restaurants and fuel now and then.
    for n in 1..13 loop
      d := m + (random() * 27)::integer;
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      values (org, 'expense', d, 15000 + (random() * 165000)::bigint, 'SEK', card, shops[1 + (random() * 4)::integer], (cat ->> 'groceries')::uuid, 'card');
    end loop;
    for n in 1..4 loop
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      values (org, 'expense', m + (random() * 27)::integer, 6500 + (random() * 80000)::bigint, 'SEK', card, places[1 + (random() * 4)::integer], (cat ->> 'restaurants')::uuid, 'card');
    end loop;
    for n in 1..2 loop
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      values (org, 'expense', m + (random() * 27)::integer, 60000 + (random() * 30000)::bigint, 'SEK', card,
              (array['Circle K', 'Preem', 'OKQ8'])[1 + (random() * 2)::integer], (cat ->> 'fuel_charging')::uuid, 'card');
    end loop;
    if random() < 0.5 then
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      values (org, 'expense', m + (random() * 27)::integer, 9900 + (random() * 40000)::bigint, 'SEK', card, 'Apotek Hjärtat', (cat ->> 'pharmacy')::uuid, 'card');
    end if;
    if random() < 0.4 then
      insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, payment_method)
      values (org, 'expense', m + (random() * 27)::integer, 29900 + (random() * 150000)::bigint, 'SEK', card,
              (array['H&M', 'Lindex', 'KappAhl'])[1 + (random() * 2)::integer], (cat ->> 'clothing')::uuid, 'card');
    end if;
    -- The card bill, paid from the salary account.
    insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, to_account_id, description)
    values (org, 'transfer', m + 27, 1200000, 'SEK', checking, card, 'Kortfaktura');
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

  -- The summer trip to Mallorca, partly paid in euros.
  d := make_date(extract(year from first_month + interval '11 months')::integer, 7, 8);
  if d > current_date then d := d - interval '1 year'; end if;
  insert into public.exchange_rates (org_id, currency, rate_date, rate, source)
  select org, 'EUR', x::date, 11.38 + 0.02 * extract(dow from x), 'ECB' from generate_series(d - 3, d + 10, interval '1 day') x;
  insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, description, category_id, payment_method) values
    (org, 'expense', d - 30, 890000, 'SEK', card, 'SAS', 'Flyg Palma t/r', (cat ->> 'travel')::uuid, 'card'),
    (org, 'expense', d + 7, 82000, 'EUR', card, 'Hotel Palma Bellver', '7 nätter', (cat ->> 'travel')::uuid, 'card'),
    (org, 'expense', d + 2, 6450, 'EUR', card, 'Restaurante Es Baluard', null, (cat ->> 'restaurants')::uuid, 'card'),
    (org, 'expense', d + 4, 3800, 'EUR', card, 'Mercadona', null, (cat ->> 'groceries')::uuid, 'card');
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
