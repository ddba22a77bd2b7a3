create or replace function private.apply_stripe_checkout(session jsonb, created timestamptz)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(session -> 'customer', coalesce(session #>> '{metadata,org_id}', session ->> 'client_reference_id'));
  current_row public.subscriptions;
  paid boolean := session ->> 'payment_status' in ('paid', 'no_payment_required');
begin
  if org is null or session ->> 'mode' is distinct from 'subscription' then
    return 'ignored: not a subscription checkout of ours';
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  update public.subscriptions s set stripe_customer_id = coalesce(s.stripe_customer_id, private.stripe_id(session -> 'customer'))
  where s.id = current_row.id;
  if not paid or current_row.state_event_at > created then
    return case when paid then 'stale' else 'applied' end;
  end if;
  -- Paid: the organization may write again at once, before the subscription's own events arrive.
  update public.subscriptions s set
    status = case when current_row.status = 'canceling' then 'canceling'::public.subscription_status else 'active' end,
    read_only_reason = null,
    grace_until = null,
    plan_id = coalesce((select p.id from public.plans p where p.id = session #>> '{metadata,plan_id}'), current_row.plan_id),
    stripe_subscription_id = coalesce(private.stripe_id(session -> 'subscription'), current_row.stripe_subscription_id),
    -- A new subscription starts active: the old one's 'canceled' would make its first update,
    -- often sent in the same second, look like news about an ended subscription.
    stripe_status = case when private.stripe_id(session -> 'subscription') is distinct from current_row.stripe_subscription_id
                         then 'active' else coalesce(current_row.stripe_status, 'active') end,
    state_event_at = created
  where s.id = current_row.id;
  return 'applied';
end;
$$;
