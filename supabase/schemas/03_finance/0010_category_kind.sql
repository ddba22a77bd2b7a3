create type public.category_kind as enum ('expense', 'income');
