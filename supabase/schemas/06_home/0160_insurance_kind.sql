create type public.insurance_kind as enum (
  'home', 'car', 'life', 'accident', 'pet', 'travel', 'health', 'income', 'liability', 'other'
);
