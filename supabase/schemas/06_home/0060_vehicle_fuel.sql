create type public.vehicle_fuel as enum (
  'petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'gas', 'ethanol', 'hydrogen', 'other'
);
