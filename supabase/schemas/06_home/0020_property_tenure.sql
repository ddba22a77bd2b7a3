create type public.property_tenure as enum ('owned', 'rented');
