-- What the generated organizations buy, earn and move: the benchmark's idea of realistic data.
-- Plain tables in the `bench` schema of the benchmark database, read by generator.sql.

create schema bench;

-- Payees by group. A household has every group's vendors; the company's suppliers and customers
-- are generated (bench.setup_company).
create table bench.vendor_names (
  grp text not null,
  name text not null,
  primary key (grp, name)
);
insert into bench.vendor_names (grp, name)
select g.grp, unnest(g.names)
from (values
  ('groceries', array['ICA Maxi', 'ICA Nära', 'Coop Konsum', 'Willys', 'Lidl', 'Hemköp', 'City Gross']),
  ('restaurants', array['Max Burgers', 'Espresso House', 'Pizzeria Il Forno', 'Sushi Yama', 'Vapiano', 'Wayne''s Coffee']),
  ('fuel', array['Circle K', 'Preem', 'OKQ8', 'St1', 'Ingo']),
  ('transit', array['SL', 'SJ', 'Västtrafik']),
  ('parking', array['EasyPark', 'Aimo Park']),
  ('pharmacy', array['Apotek Hjärtat', 'Apoteket', 'Kronans Apotek']),
  ('clothing', array['H&M', 'Lindex', 'KappAhl', 'Stadium', 'Zalando']),
  ('electronics', array['Elgiganten', 'NetOnNet', 'Clas Ohlson', 'Webhallen']),
  ('furnishing', array['IKEA', 'Jysk', 'Bauhaus', 'Hornbach']),
  ('travel', array['SAS', 'Norwegian', 'Booking.com', 'Airbnb']),
  ('healthcare', array['Vårdcentralen', 'Folktandvården']),
  ('toys', array['Lekia', 'BR Leksaker']),
  ('friends', array['Swish']),
  ('employer', array['Region Stockholm', 'Ericsson AB', 'Skanska AB', 'Volvo Cars', 'Stockholms stad', 'Spotify AB']),
  ('benefits', array['Försäkringskassan']),
  ('mortgage', array['SBAB', 'Swedbank Hypotek', 'Handelsbanken']),
  ('electricity', array['Vattenfall', 'Ellevio', 'Tibber']),
  ('internet', array['Bahnhof', 'Telia', 'Tele2']),
  ('mobile', array['Comviq', 'Telia Mobil', 'Hallon']),
  ('streaming', array['Netflix', 'Spotify', 'HBO Max', 'Viaplay']),
  ('insurer', array['Folksam', 'If Skadeförsäkring', 'Länsförsäkringar']),
  ('gym', array['Friskis&Svettis', 'SATS']),
  -- The company's card and contract payees (suppliers and customers are generated).
  ('business_card', array['Scandic', 'Clarion Hotel', 'SAS', 'SJ', 'Taxi Stockholm', 'Uber', 'Restaurang Tranan', 'Kjell & Company', 'Staples', 'Amazon']),
  ('software', array['Microsoft', 'Google Workspace', 'Slack', 'Atlassian', 'Fortnox', 'Visma', 'Adobe', 'GitHub', 'Zoom', 'HubSpot']),
  ('landlord', array['Vasakronan']),
  ('leasing', array['Volvo Finans']),
  ('bank', array['Handelsbanken Företag'])
) as g (grp, names);

-- The company's own categories, beside the default tree every organization gets.
create table bench.company_categories (key text primary key, parent_key text, kind public.category_kind, name text);
insert into bench.company_categories values
  ('operations', null, 'expense', 'Rörelsekostnader'),
  ('goods', 'operations', 'expense', 'Varuinköp'),
  ('freight', 'operations', 'expense', 'Frakt'),
  ('consulting', 'operations', 'expense', 'Konsulter'),
  ('office_supplies', 'operations', 'expense', 'Kontorsmaterial'),
  ('marketing', 'operations', 'expense', 'Marknadsföring'),
  ('premises', 'operations', 'expense', 'Lokaler'),
  ('it_software', 'operations', 'expense', 'IT och programvara'),
  ('payroll', 'operations', 'expense', 'Löner'),
  ('business_travel', 'operations', 'expense', 'Resor'),
  ('revenue', null, 'income', 'Intäkter'),
  ('sales', 'revenue', 'income', 'Försäljning'),
  ('services', 'revenue', 'income', 'Tjänster');

-- Everyday transactions, drawn by weight. Amounts are drawn between min and max, skewed toward
-- min; `foreign_share` of them are in the organization's travel currency, `split_share` are
-- split between `category_key` and `split_key`.
create table bench.patterns (
  profile text not null check (profile in ('household', 'company')),
  name text not null,
  weight integer not null,
  kind public.transaction_kind not null,
  category_key text,
  vendor_group text,
  min_minor bigint not null,
  max_minor bigint not null,
  payment_method public.payment_method,
  account_role text not null,
  to_account_role text,
  descriptions text[] not null,
  foreign_share numeric not null default 0,
  split_share numeric not null default 0,
  split_key text,
  primary key (profile, name)
);
insert into bench.patterns values
  ('household', 'groceries', 420, 'expense', 'groceries', 'groceries', 3900, 180000, 'card', 'card', null, array['Matinköp', 'Veckohandling', 'Mat och hushåll', 'Frukost och fika'], 0, 0.02, 'home_furnishing'),
  ('household', 'restaurants', 120, 'expense', 'restaurants', 'restaurants', 4500, 120000, 'card', 'card', null, array['Lunch', 'Middag ute', 'Fika', 'Hämtmat'], 0.08, 0, null),
  ('household', 'fuel', 60, 'expense', 'fuel_charging', 'fuel', 35000, 95000, 'card', 'card', null, array['Tankning', 'Diesel', 'Laddning'], 0, 0, null),
  ('household', 'transit', 45, 'expense', 'public_transport', 'transit', 3900, 120000, 'mobile', 'main', null, array['Enkelbiljett', 'Tågresa', 'Månadskort'], 0, 0, null),
  ('household', 'parking', 30, 'expense', 'parking', 'parking', 1000, 25000, 'mobile', 'main', null, array['Parkering'], 0, 0, null),
  ('household', 'pharmacy', 40, 'expense', 'pharmacy', 'pharmacy', 4900, 60000, 'card', 'card', null, array['Receptfritt', 'Recept', 'Solskydd'], 0, 0, null),
  ('household', 'clothing', 50, 'expense', 'clothing', 'clothing', 19900, 220000, 'card', 'card', null, array['Kläder', 'Skor', 'Barnkläder', 'Vinterjacka'], 0.05, 0, null),
  ('household', 'electronics', 20, 'expense', 'electronics', 'electronics', 9900, 1200000, 'card', 'card', null, array['Laddkabel', 'Hörlurar', 'Mobiltelefon', 'Lampor'], 0, 0.1, 'home_furnishing'),
  ('household', 'furnishing', 40, 'expense', 'home_furnishing', 'furnishing', 4900, 600000, 'card', 'card', null, array['Möbler', 'Förvaring', 'Färg och verktyg', 'Växter'], 0, 0.1, 'groceries'),
  ('household', 'travel', 12, 'expense', 'travel', 'travel', 90000, 1800000, 'card', 'card', null, array['Flyg', 'Hotell', 'Semesterboende'], 0.4, 0, null),
  ('household', 'healthcare', 15, 'expense', 'healthcare', 'healthcare', 10000, 180000, 'card', 'card', null, array['Läkarbesök', 'Tandläkare'], 0, 0, null),
  ('household', 'toys', 20, 'expense', 'children', 'toys', 4900, 90000, 'card', 'card', null, array['Leksaker', 'Present', 'Kalas'], 0, 0, null),
  ('household', 'swish_in', 30, 'income', 'other_income', 'friends', 2000, 60000, 'mobile', 'main', null, array['Swish från vän', 'Delad nota', 'Sålt på Blocket'], 0, 0, null),
  ('household', 'savings', 15, 'transfer', null, null, 50000, 1000000, 'bank_transfer', 'main', 'savings', array['Extra sparande'], 0, 0, null),
  ('household', 'atm', 10, 'transfer', null, null, 20000, 200000, 'bank_transfer', 'main', 'cash', array['Uttag'], 0, 0, null),
  ('company', 'goods', 300, 'expense', 'goods', 'suppliers', 50000, 5000000, 'invoice', 'main', null, array['Varuinköp enligt faktura', 'Inköp lager', 'Råvaror', 'Komponenter'], 0.15, 0.02, 'freight'),
  ('company', 'freight', 60, 'expense', 'freight', 'suppliers', 20000, 300000, 'invoice', 'main', null, array['Frakt', 'Transport', 'Tull och frakt'], 0.1, 0, null),
  ('company', 'consulting', 40, 'expense', 'consulting', 'suppliers', 500000, 10000000, 'invoice', 'main', null, array['Konsultarvode', 'Juridisk rådgivning', 'Redovisningstjänster'], 0.05, 0, null),
  ('company', 'office_supplies', 60, 'expense', 'office_supplies', 'business_card', 5000, 200000, 'card', 'card', null, array['Kontorsmaterial', 'Skrivarpapper', 'Kaffe till kontoret'], 0, 0.05, 'it_software'),
  ('company', 'marketing', 30, 'expense', 'marketing', 'suppliers', 100000, 2000000, 'invoice', 'main', null, array['Annonsering', 'Mässa', 'Trycksaker'], 0.1, 0, null),
  ('company', 'business_travel', 50, 'expense', 'business_travel', 'business_card', 20000, 1500000, 'card', 'card', null, array['Tjänsteresa', 'Hotell', 'Taxi', 'Flyg'], 0.3, 0, null),
  ('company', 'representation', 40, 'expense', 'restaurants', 'business_card', 30000, 400000, 'card', 'card', null, array['Kundlunch', 'Representation', 'Personalfest'], 0.1, 0, null),
  ('company', 'sales', 300, 'income', 'sales', 'customers', 100000, 20000000, 'bank_transfer', 'main', null, array['Kundfaktura', 'Försäljning', 'Delbetalning'], 0.1, 0, null),
  ('company', 'services', 80, 'income', 'services', 'customers', 50000, 5000000, 'bank_transfer', 'main', null, array['Serviceavtal', 'Support', 'Installation'], 0, 0, null),
  ('company', 'tax_account', 40, 'transfer', null, null, 100000, 5000000, 'bank_transfer', 'main', 'savings', array['Skattekonto'], 0, 0, null);

-- Monthly payments on a day of the month: salaries, contracts (linked to a contract row) and
-- transfers. `share` is the part of the organizations that have it; `seasonal` varies the
-- amount over the year (electricity).
create table bench.recurring (
  profile text not null,
  name text not null,
  kind public.transaction_kind not null,
  category_key text,
  vendor_group text,
  amount_minor bigint not null,
  day_of_month integer not null,
  payment_method public.payment_method,
  account_role text not null,
  to_account_role text,
  is_contract boolean not null,
  share numeric not null default 1,
  seasonal numeric not null default 0,
  description text not null,
  primary key (profile, name)
);
insert into bench.recurring values
  ('household', 'salary_1', 'income', 'salary', 'employer', 3450000, 25, 'bank_transfer', 'main', null, false, 1, 0, 'Lön'),
  ('household', 'salary_2', 'income', 'salary', 'employer', 2980000, 25, 'bank_transfer', 'main', null, false, 0.7, 0, 'Lön'),
  ('household', 'child_benefit', 'income', 'benefits', 'benefits', 125000, 20, 'bank_transfer', 'main', null, false, 0.5, 0, 'Barnbidrag'),
  ('household', 'mortgage', 'expense', 'rent_mortgage', 'mortgage', 1240000, 28, 'direct_debit', 'main', null, true, 1, 0, 'Ränta och amortering'),
  ('household', 'electricity', 'expense', 'utilities', 'electricity', 120000, 30, 'direct_debit', 'main', null, true, 1, 0.6, 'Elräkning'),
  ('household', 'internet', 'expense', 'internet_phone', 'internet', 44900, 27, 'direct_debit', 'main', null, true, 1, 0, 'Bredband'),
  ('household', 'mobile', 'expense', 'internet_phone', 'mobile', 29900, 27, 'direct_debit', 'main', null, true, 0.9, 0, 'Mobilabonnemang'),
  ('household', 'streaming_1', 'expense', 'streaming', 'streaming', 12900, 3, 'card', 'card', null, true, 0.9, 0, 'Streaming'),
  ('household', 'streaming_2', 'expense', 'streaming', 'streaming', 9900, 12, 'card', 'card', null, true, 0.5, 0, 'Musik'),
  ('household', 'insurance', 'expense', 'insurance', 'insurer', 48500, 1, 'direct_debit', 'main', null, true, 1, 0, 'Hemförsäkring'),
  ('household', 'gym', 'expense', 'sports', 'gym', 49900, 1, 'card', 'card', null, true, 0.4, 0, 'Träningskort'),
  ('household', 'savings', 'transfer', null, null, 300000, 26, 'bank_transfer', 'main', 'savings', false, 1, 0, 'Månadssparande'),
  ('household', 'card_bill', 'transfer', null, null, 1500000, 28, 'bank_transfer', 'main', 'card', false, 1, 0, 'Kortfaktura'),
  ('company', 'payroll', 'expense', 'payroll', 'bank', 285000000, 25, 'bank_transfer', 'main', null, false, 1, 0, 'Löneutbetalning'),
  ('company', 'rent', 'expense', 'premises', 'landlord', 18500000, 1, 'invoice', 'main', null, true, 1, 0, 'Hyra kontor och lager'),
  ('company', 'leasing', 'expense', 'vehicle_costs', 'leasing', 2450000, 15, 'direct_debit', 'main', null, true, 1, 0, 'Leasing tjänstebilar'),
  ('company', 'electricity', 'expense', 'utilities', 'electricity', 2200000, 30, 'direct_debit', 'main', null, true, 1, 0.5, 'El lokaler'),
  ('company', 'insurance', 'expense', 'insurance', 'insurer', 1150000, 1, 'invoice', 'main', null, true, 1, 0, 'Företagsförsäkring'),
  ('company', 'software', 'expense', 'it_software', 'software', 890000, 5, 'card', 'card', null, true, 1, 0, 'Licenser'),
  ('company', 'bank_fees', 'expense', 'loans_fees', 'bank', 45000, 28, 'direct_debit', 'main', null, false, 1, 0, 'Bankavgifter'),
  ('company', 'card_bill', 'transfer', null, null, 25000000, 28, 'bank_transfer', 'main', 'card', false, 1, 0, 'Kortfaktura');

-- Base-currency units per unit of a foreign currency, around which the generated rates move.
create table bench.rate_levels (base_currency text, currency text, rate numeric, primary key (base_currency, currency));
insert into bench.rate_levels values
  ('SEK', 'EUR', 11.45), ('SEK', 'USD', 10.55), ('SEK', 'NOK', 0.985), ('SEK', 'DKK', 1.535),
  ('NOK', 'EUR', 11.70), ('EUR', 'SEK', 0.0873);
