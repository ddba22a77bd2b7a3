create type public.credit_kind as enum ('grant', 'monthly_refill', 'purchase', 'usage', 'adjustment', 'expiry');
