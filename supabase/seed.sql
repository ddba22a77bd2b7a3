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
where o.created_by = 'd3e40000-0000-4000-8000-000000000001';

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
