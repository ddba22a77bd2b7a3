create type public.property_kind as enum ('house', 'apartment', 'cabin', 'plot', 'other');
