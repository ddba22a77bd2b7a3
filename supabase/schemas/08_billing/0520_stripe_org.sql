-- The organization an object belongs to: our metadata (set on customers, sessions and
-- subscriptions we create), else the organization whose Stripe customer it is.
create function private.stripe_org(customer jsonb, metadata_org_id text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select o.id from public.organizations o
     where metadata_org_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' and o.id = metadata_org_id::uuid),
    (select s.org_id from public.subscriptions s where s.stripe_customer_id = private.stripe_id(customer))
  );
$$;
