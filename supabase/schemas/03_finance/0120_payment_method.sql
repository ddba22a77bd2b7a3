create type public.payment_method as enum ('card', 'cash', 'bank_transfer', 'direct_debit', 'mobile', 'invoice', 'other');
