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
