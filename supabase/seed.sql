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
