-- The built-in merchant table, the cascade's third stage: common Nordic merchants and chains and
-- the default category (by key) their payments belong to. A name matches a payee when its words
-- appear in the payee's key in order (`ica nara solna` matches `ica`); the longest name wins, so
-- `ica banken` beats `ica`. Reference rows: kept here and in a data migration.
create table private.nordic_merchants (
  name text primary key,
  normalized_name text generated always as (private.normalize_vendor_name(name)) stored,
  -- SE, NO, DK, FI, or NORDIC for chains found in several countries.
  country text not null check (country in ('SE', 'NO', 'DK', 'FI', 'NORDIC')),
  category_key text not null check (category_key ~ '^[a-z][a-z0-9_]{1,40}$'),
  -- The merchant stage looks names up by the payee's runs of up to six words.
  check (cardinality(string_to_array(normalized_name, ' ')) <= 6)
);

comment on table private.nordic_merchants is
  'Common Nordic merchants and chains and the default category they belong to: the categorizer''s merchant stage.';

insert into private.nordic_merchants (name, country, category_key) values
  -- Grocers
  ('ICA', 'SE', 'groceries'), ('Coop', 'NORDIC', 'groceries'), ('Willys', 'SE', 'groceries'),
  ('Hemköp', 'SE', 'groceries'), ('Hemkop', 'SE', 'groceries'), ('Lidl', 'NORDIC', 'groceries'),
  ('City Gross', 'SE', 'groceries'), ('Netto', 'NORDIC', 'groceries'), ('Mathem', 'SE', 'groceries'),
  ('Tempo', 'SE', 'groceries'), ('Matsmart', 'SE', 'groceries'), ('Rema 1000', 'NORDIC', 'groceries'),
  ('Kiwi', 'NO', 'groceries'), ('Meny', 'NORDIC', 'groceries'), ('Coop Extra', 'NO', 'groceries'),
  ('Bunnpris', 'NO', 'groceries'), ('Joker', 'NO', 'groceries'), ('Spar', 'NORDIC', 'groceries'),
  ('Oda', 'NO', 'groceries'), ('Føtex', 'DK', 'groceries'), ('Fotex', 'DK', 'groceries'),
  ('Bilka', 'DK', 'groceries'), ('Irma', 'DK', 'groceries'), ('Fakta', 'DK', 'groceries'),
  ('Løvbjerg', 'DK', 'groceries'), ('Nemlig', 'DK', 'groceries'), ('Dagli Brugsen', 'DK', 'groceries'),
  ('SuperBrugsen', 'DK', 'groceries'), ('Kvickly', 'DK', 'groceries'), ('K-Citymarket', 'FI', 'groceries'),
  ('K-Market', 'FI', 'groceries'), ('K-Supermarket', 'FI', 'groceries'), ('Prisma', 'FI', 'groceries'),
  ('S-Market', 'FI', 'groceries'), ('Alepa', 'FI', 'groceries'), ('Sale', 'FI', 'groceries'),
  ('Tokmanni', 'FI', 'groceries'), ('Lidl Sverige', 'SE', 'groceries'), ('Ica Maxi', 'SE', 'groceries'),
  -- State alcohol retailers: food, the parent, since there is no drinks category
  ('Systembolaget', 'SE', 'food'), ('Vinmonopolet', 'NO', 'food'), ('Alko', 'FI', 'food'),
  -- Restaurants, cafés, delivery
  ('McDonalds', 'NORDIC', 'restaurants'), ('Max Hamburgare', 'SE', 'restaurants'), ('Max Burgers', 'NORDIC', 'restaurants'),
  ('Burger King', 'NORDIC', 'restaurants'), ('Espresso House', 'NORDIC', 'restaurants'), ('Starbucks', 'NORDIC', 'restaurants'),
  ('Pressbyrån', 'SE', 'restaurants'), ('Pressbyran', 'SE', 'restaurants'), ('7-Eleven', 'NORDIC', 'restaurants'),
  ('Wolt', 'NORDIC', 'restaurants'), ('Foodora', 'NORDIC', 'restaurants'), ('Just Eat', 'NORDIC', 'restaurants'),
  ('Hesburger', 'FI', 'restaurants'), ('Joe & the Juice', 'NORDIC', 'restaurants'), ('Subway', 'NORDIC', 'restaurants'),
  ('Sibylla', 'SE', 'restaurants'), ('Waynes Coffee', 'SE', 'restaurants'), ('Peppes Pizza', 'NO', 'restaurants'),
  ('Dolly Dimples', 'NO', 'restaurants'), ('Lagkagehuset', 'DK', 'restaurants'), ('Fazer Cafe', 'FI', 'restaurants'),
  -- Fuel and charging
  ('Circle K', 'NORDIC', 'fuel_charging'), ('Preem', 'SE', 'fuel_charging'), ('OKQ8', 'SE', 'fuel_charging'),
  ('St1', 'NORDIC', 'fuel_charging'), ('Shell', 'NORDIC', 'fuel_charging'), ('Ingo', 'NORDIC', 'fuel_charging'),
  ('Uno-X', 'NORDIC', 'fuel_charging'), ('Esso', 'NORDIC', 'fuel_charging'), ('Neste', 'FI', 'fuel_charging'),
  ('ABC', 'FI', 'fuel_charging'), ('Teboil', 'FI', 'fuel_charging'), ('Q8', 'DK', 'fuel_charging'),
  ('OK Plus', 'DK', 'fuel_charging'), ('Tesla Supercharger', 'NORDIC', 'fuel_charging'), ('Ionity', 'NORDIC', 'fuel_charging'),
  ('Recharge', 'NORDIC', 'fuel_charging'), ('Clever', 'DK', 'fuel_charging'), ('Fortum Charge', 'NORDIC', 'fuel_charging'),
  ('Mer Norway', 'NO', 'fuel_charging'), ('Tibber Charge', 'NORDIC', 'fuel_charging'),
  -- Public transport
  ('SL', 'SE', 'public_transport'), ('Västtrafik', 'SE', 'public_transport'), ('Vasttrafik', 'SE', 'public_transport'),
  ('Skånetrafiken', 'SE', 'public_transport'), ('Skanetrafiken', 'SE', 'public_transport'), ('UL', 'SE', 'public_transport'),
  ('SJ', 'SE', 'public_transport'), ('Östgötatrafiken', 'SE', 'public_transport'), ('Ruter', 'NO', 'public_transport'),
  ('Vy', 'NO', 'public_transport'), ('Entur', 'NO', 'public_transport'), ('Skyss', 'NO', 'public_transport'),
  ('AtB', 'NO', 'public_transport'), ('Kolumbus', 'NO', 'public_transport'), ('DSB', 'DK', 'public_transport'),
  ('Rejsekort', 'DK', 'public_transport'), ('Movia', 'DK', 'public_transport'), ('Midttrafik', 'DK', 'public_transport'),
  ('Metroselskabet', 'DK', 'public_transport'), ('HSL', 'FI', 'public_transport'), ('VR', 'FI', 'public_transport'),
  ('Nysse', 'FI', 'public_transport'), ('Föli', 'FI', 'public_transport'), ('Flygbussarna', 'SE', 'public_transport'),
  ('Arlanda Express', 'SE', 'public_transport'), ('Flytoget', 'NO', 'public_transport'),
  ('Uber', 'NORDIC', 'transport'), ('Bolt', 'NORDIC', 'transport'), ('Taxi Stockholm', 'SE', 'transport'),
  ('Voi', 'NORDIC', 'transport'), ('Tier', 'NORDIC', 'transport'),
  -- Parking
  ('EasyPark', 'NORDIC', 'parking'), ('Parkster', 'SE', 'parking'), ('Aimo Park', 'NORDIC', 'parking'),
  ('Apcoa', 'NORDIC', 'parking'), ('Q-Park', 'NORDIC', 'parking'), ('ONEPark', 'DK', 'parking'),
  ('Parkman', 'FI', 'parking'), ('Europark', 'NORDIC', 'parking'), ('Mobilpark', 'SE', 'parking'),
  ('Stockholm Parkering', 'SE', 'parking'),
  -- Vehicle costs
  ('Bilprovningen', 'SE', 'vehicle_costs'), ('Opus Bilprovning', 'SE', 'vehicle_costs'), ('Carspect', 'SE', 'vehicle_costs'),
  ('Dekra', 'NORDIC', 'vehicle_costs'), ('Transportstyrelsen', 'SE', 'vehicle_costs'), ('Statens vegvesen', 'NO', 'vehicle_costs'),
  ('Mekonomen', 'NORDIC', 'vehicle_costs'), ('Biltema', 'NORDIC', 'vehicle_costs'), ('Vianor', 'NORDIC', 'vehicle_costs'),
  ('Trafikverket', 'SE', 'vehicle_costs'), ('Traficom', 'FI', 'vehicle_costs'), ('Motorstyrelsen', 'DK', 'vehicle_costs'),
  -- Telecoms and internet
  ('Telia', 'NORDIC', 'internet_phone'), ('Tele2', 'SE', 'internet_phone'), ('Telenor', 'NORDIC', 'internet_phone'),
  ('Tre Sverige', 'SE', 'internet_phone'), ('Hi3G', 'SE', 'internet_phone'), ('Hallon', 'SE', 'internet_phone'),
  ('Comviq', 'SE', 'internet_phone'), ('Vimla', 'SE', 'internet_phone'), ('Bahnhof', 'SE', 'internet_phone'),
  ('Bredbandsbolaget', 'SE', 'internet_phone'), ('Com Hem', 'SE', 'internet_phone'), ('Tele2 Comhem', 'SE', 'internet_phone'),
  ('Ice Communication', 'NO', 'internet_phone'), ('Talkmore', 'NO', 'internet_phone'), ('OneCall', 'NO', 'internet_phone'),
  ('Altibox', 'NO', 'internet_phone'), ('YouSee', 'DK', 'internet_phone'), ('TDC', 'DK', 'internet_phone'),
  ('CBB Mobil', 'DK', 'internet_phone'), ('Oister', 'DK', 'internet_phone'), ('Elisa', 'FI', 'internet_phone'),
  ('DNA', 'FI', 'internet_phone'), ('Moi Mobiili', 'FI', 'internet_phone'),
  -- Streaming
  ('Spotify', 'NORDIC', 'streaming'), ('Netflix', 'NORDIC', 'streaming'), ('HBO Max', 'NORDIC', 'streaming'),
  ('Viaplay', 'NORDIC', 'streaming'), ('Disney Plus', 'NORDIC', 'streaming'), ('DisneyPlus', 'NORDIC', 'streaming'),
  ('Apple TV', 'NORDIC', 'streaming'), ('YouTube Premium', 'NORDIC', 'streaming'), ('TV4 Play', 'SE', 'streaming'),
  ('Storytel', 'NORDIC', 'streaming'), ('BookBeat', 'NORDIC', 'streaming'), ('Nextory', 'NORDIC', 'streaming'),
  ('Tidal', 'NORDIC', 'streaming'), ('Amazon Prime', 'NORDIC', 'streaming'), ('SkyShowtime', 'NORDIC', 'streaming'),
  ('C More', 'NORDIC', 'streaming'), ('Ruutu', 'FI', 'streaming'), ('Allente', 'NORDIC', 'streaming'),
  ('TV 2 Play', 'NORDIC', 'streaming'), ('Podimo', 'NORDIC', 'streaming'),
  -- Other subscriptions
  ('Microsoft 365', 'NORDIC', 'subscriptions'), ('Google Storage', 'NORDIC', 'subscriptions'), ('iCloud', 'NORDIC', 'subscriptions'),
  ('Apple com bill', 'NORDIC', 'subscriptions'), ('Adobe', 'NORDIC', 'subscriptions'), ('Dropbox', 'NORDIC', 'subscriptions'),
  ('OpenAI', 'NORDIC', 'subscriptions'),
  -- Pharmacies
  ('Apotek', 'NORDIC', 'pharmacy'), ('Apoteket', 'SE', 'pharmacy'), ('Apotek Hjärtat', 'SE', 'pharmacy'),
  ('Kronans Apotek', 'SE', 'pharmacy'), ('Apotea', 'SE', 'pharmacy'), ('Lloyds Apotek', 'SE', 'pharmacy'),
  ('Vitusapotek', 'NO', 'pharmacy'), ('Apotek 1', 'NO', 'pharmacy'), ('Boots Apotek', 'NO', 'pharmacy'),
  ('Matas', 'DK', 'pharmacy'), ('Apteekki', 'FI', 'pharmacy'), ('Yliopiston Apteekki', 'FI', 'pharmacy'),
  -- Healthcare
  ('Folktandvården', 'SE', 'healthcare'), ('Kry', 'NORDIC', 'healthcare'), ('Min Doktor', 'SE', 'healthcare'),
  ('Doktor24', 'SE', 'healthcare'), ('Capio', 'NORDIC', 'healthcare'), ('Aleris', 'NORDIC', 'healthcare'),
  ('Mehiläinen', 'FI', 'healthcare'), ('Terveystalo', 'FI', 'healthcare'), ('Pihlajalinna', 'FI', 'healthcare'),
  ('Praktikertjänst', 'SE', 'healthcare'), ('Region Stockholm', 'SE', 'healthcare'),
  -- Clothing
  ('H&M', 'NORDIC', 'clothing'), ('Lindex', 'NORDIC', 'clothing'), ('KappAhl', 'NORDIC', 'clothing'),
  ('Dressmann', 'NORDIC', 'clothing'), ('Cubus', 'NORDIC', 'clothing'), ('Zalando', 'NORDIC', 'clothing'),
  ('Boozt', 'NORDIC', 'clothing'), ('Jack & Jones', 'NORDIC', 'clothing'), ('Vero Moda', 'NORDIC', 'clothing'),
  ('Carlings', 'NORDIC', 'clothing'), ('Gina Tricot', 'NORDIC', 'clothing'), ('Bik Bok', 'NORDIC', 'clothing'),
  ('Weekday', 'NORDIC', 'clothing'), ('Scorett', 'SE', 'clothing'), ('Nilson Shoes', 'SE', 'clothing'),
  -- Electronics
  ('Elgiganten', 'SE', 'electronics'), ('Elkjøp', 'NO', 'electronics'), ('Elkjop', 'NO', 'electronics'),
  ('Power', 'NORDIC', 'electronics'), ('Webhallen', 'SE', 'electronics'), ('NetOnNet', 'NORDIC', 'electronics'),
  ('Komplett', 'NORDIC', 'electronics'), ('Gigantti', 'FI', 'electronics'), ('Verkkokauppa', 'FI', 'electronics'),
  ('Proshop', 'NORDIC', 'electronics'), ('Inet', 'SE', 'electronics'), ('Kjell & Company', 'NORDIC', 'electronics'),
  ('Apple Store', 'NORDIC', 'electronics'),
  -- Home and furnishing
  ('IKEA', 'NORDIC', 'home_furnishing'), ('Jysk', 'NORDIC', 'home_furnishing'), ('Rusta', 'SE', 'home_furnishing'),
  ('Clas Ohlson', 'NORDIC', 'home_furnishing'), ('Jula', 'NORDIC', 'home_furnishing'), ('Mio', 'SE', 'home_furnishing'),
  ('Ellos', 'NORDIC', 'home_furnishing'), ('Søstrene Grene', 'NORDIC', 'home_furnishing'), ('Flying Tiger', 'NORDIC', 'home_furnishing'),
  ('Plantagen', 'NORDIC', 'home_furnishing'), ('Granngården', 'SE', 'home_furnishing'), ('Åhléns', 'SE', 'home_furnishing'),
  ('Ahlens', 'SE', 'home_furnishing'), ('Europris', 'NO', 'home_furnishing'), ('Jernia', 'NO', 'home_furnishing'),
  ('Bauhaus', 'NORDIC', 'home_maintenance'), ('Byggmax', 'NORDIC', 'home_maintenance'), ('Hornbach', 'NORDIC', 'home_maintenance'),
  ('Beijer Bygg', 'SE', 'home_maintenance'), ('K-Rauta', 'FI', 'home_maintenance'), ('Bygma', 'DK', 'home_maintenance'),
  ('Silvan', 'DK', 'home_maintenance'), ('Jem & Fix', 'DK', 'home_maintenance'), ('Montér', 'NO', 'home_maintenance'),
  ('Maxbo', 'NO', 'home_maintenance'), ('Obs Bygg', 'NO', 'home_maintenance'), ('Hemfrid', 'SE', 'home_maintenance'),
  -- Energy and water
  ('Vattenfall', 'NORDIC', 'utilities'), ('Fortum', 'NORDIC', 'utilities'), ('E.ON', 'SE', 'utilities'),
  ('Ellevio', 'SE', 'utilities'), ('Tibber', 'NORDIC', 'utilities'), ('Göteborg Energi', 'SE', 'utilities'),
  ('Skellefteå Kraft', 'SE', 'utilities'), ('Fjordkraft', 'NO', 'utilities'), ('Hafslund', 'NO', 'utilities'),
  ('Elvia', 'NO', 'utilities'), ('Norlys', 'DK', 'utilities'), ('Ørsted', 'DK', 'utilities'),
  ('Andel Energi', 'DK', 'utilities'), ('Helen', 'FI', 'utilities'), ('Oomi', 'FI', 'utilities'),
  ('Väre', 'FI', 'utilities'), ('Greenely', 'SE', 'utilities'), ('Stockholm Vatten', 'SE', 'utilities'),
  ('Stockholm Exergi', 'SE', 'utilities'),
  -- Insurance
  ('If Skadeförsäkring', 'NORDIC', 'insurance'), ('If Forsikring', 'NORDIC', 'insurance'), ('Trygg-Hansa', 'SE', 'insurance'),
  ('Folksam', 'SE', 'insurance'), ('Länsförsäkringar', 'SE', 'insurance'), ('Lansforsakringar', 'SE', 'insurance'),
  ('Gjensidige', 'NORDIC', 'insurance'), ('Tryg', 'NORDIC', 'insurance'), ('Fennia', 'FI', 'insurance'),
  ('LähiTapiola', 'FI', 'insurance'), ('Pohjola Vakuutus', 'FI', 'insurance'), ('Codan', 'DK', 'insurance'),
  ('Alm Brand', 'DK', 'insurance'), ('Topdanmark', 'DK', 'insurance'), ('Dina Försäkringar', 'SE', 'insurance'),
  ('ICA Försäkring', 'SE', 'insurance'), ('Moderna Försäkringar', 'SE', 'insurance'), ('Hedvig', 'SE', 'insurance'),
  ('Fremtind', 'NO', 'insurance'),
  -- Sports and fitness
  ('SATS', 'NORDIC', 'sports'), ('Friskis & Svettis', 'SE', 'sports'), ('Nordic Wellness', 'SE', 'sports'),
  ('Actic', 'SE', 'sports'), ('Fitness24Seven', 'NORDIC', 'sports'), ('EVO Fitness', 'NO', 'sports'),
  ('Elixia', 'NORDIC', 'sports'), ('Stadium', 'NORDIC', 'sports'), ('XXL', 'NORDIC', 'sports'),
  ('Intersport', 'NORDIC', 'sports'), ('Sportamore', 'NORDIC', 'sports'), ('Fitness World', 'DK', 'sports'),
  ('PureGym', 'DK', 'sports'), ('Stadium Outlet', 'SE', 'sports'),
  -- Travel
  ('SAS', 'NORDIC', 'travel'), ('Norwegian', 'NORDIC', 'travel'), ('Finnair', 'FI', 'travel'),
  ('Ryanair', 'NORDIC', 'travel'), ('Booking.com', 'NORDIC', 'travel'), ('Airbnb', 'NORDIC', 'travel'),
  ('Hotels.com', 'NORDIC', 'travel'), ('Scandic', 'NORDIC', 'travel'), ('Nordic Choice', 'NORDIC', 'travel'),
  ('Strawberry', 'NORDIC', 'travel'), ('Tallink Silja', 'NORDIC', 'travel'), ('Viking Line', 'NORDIC', 'travel'),
  ('Stena Line', 'NORDIC', 'travel'), ('Color Line', 'NO', 'travel'), ('Ving', 'NORDIC', 'travel'),
  ('TUI', 'NORDIC', 'travel'), ('Apollo', 'NORDIC', 'travel'), ('Expedia', 'NORDIC', 'travel'),
  -- Loans and fees
  ('CSN', 'SE', 'loans_fees'), ('Lånekassen', 'NO', 'loans_fees'), ('ICA Banken', 'SE', 'loans_fees'),
  ('SBAB', 'SE', 'loans_fees'), ('Klarna', 'NORDIC', 'loans_fees'),
  -- Income
  ('Försäkringskassan', 'SE', 'benefits'), ('Forsakringskassan', 'SE', 'benefits'), ('NAV', 'NO', 'benefits'),
  ('Udbetaling Danmark', 'DK', 'benefits'), ('Kela', 'FI', 'benefits'), ('Skatteverket', 'SE', 'refunds');

create index nordic_merchants_normalized_name_idx on private.nordic_merchants (normalized_name);
