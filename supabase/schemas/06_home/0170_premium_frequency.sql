create type public.premium_frequency as enum ('monthly', 'quarterly', 'half_yearly', 'yearly');
