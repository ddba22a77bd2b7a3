create type public.vehicle_event_kind as enum (
  'fuel', 'charging', 'service', 'repair', 'tyres', 'tax', 'insurance', 'inspection', 'parking', 'toll', 'leasing', 'other'
);
