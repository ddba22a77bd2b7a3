-- Keeps the first Stripe customer made for the organization and answers the one kept.
create function private.remember_stripe_customer(org_id uuid, customer_id text)
returns text
language sql
security definer
set search_path = ''
as $$
  update public.subscriptions s set stripe_customer_id = coalesce(s.stripe_customer_id, customer_id)
  where s.org_id = remember_stripe_customer.org_id
  returning s.stripe_customer_id;
$$;
