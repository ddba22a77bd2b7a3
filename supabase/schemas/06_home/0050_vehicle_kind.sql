create type public.vehicle_kind as enum ('car', 'motorcycle', 'van', 'camper', 'other');
