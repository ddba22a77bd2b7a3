create type public.account_kind as enum ('bank', 'savings', 'card', 'cash', 'loan');
