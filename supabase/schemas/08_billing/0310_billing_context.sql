-- What billing-checkout and billing-portal need, for an owner of the organization (the caller's
-- JWT claims are set): its name, Stripe customer, the caller's email, and the plan's price
-- (checkout only: not for an organization that already pays).
create function private.billing_context(org_id uuid, plan_id text)
returns table (org_name text, customer_id text, email text, price_id text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  plan public.plans;
begin
  perform private.require_org_role(org_id, 'owner');
  if billing_context.plan_id is not null then
    select * into plan from public.plans p where p.id = billing_context.plan_id and p.is_active;
    if plan.id is null then
      raise sqlstate 'PT404' using message = 'PLAN_NOT_FOUND', detail = format('No plan %L on sale.', billing_context.plan_id);
    end if;
    if plan.stripe_price_id is null then
      raise sqlstate 'PT503' using message = 'BILLING_NOT_CONFIGURED', detail = format('Plan %L has no Stripe price yet.', plan.id);
    end if;
    -- A second Checkout would start a second subscription: plans change in the portal.
    if exists (
      select from public.subscriptions s
      where s.org_id = billing_context.org_id and s.stripe_subscription_id is not null
        and s.status in ('active', 'canceling', 'past_due')
    ) then
      raise sqlstate 'PT409' using message = 'ALREADY_SUBSCRIBED',
        detail = 'The organization has a subscription: change the plan or the card in the billing portal.';
    end if;
  end if;
  return query
    select o.name, s.stripe_customer_id, (select u.email::text from auth.users u where u.id = auth.uid()), plan.stripe_price_id
    from public.organizations o join public.subscriptions s on s.org_id = o.id
    where o.id = billing_context.org_id;
end;
$$;
