create type public.transaction_kind as enum ('expense', 'income', 'transfer');
