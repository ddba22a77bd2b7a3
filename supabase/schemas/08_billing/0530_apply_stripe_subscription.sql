create or replace function private.apply_stripe_subscription(sub jsonb, created timestamptz, deleted boolean)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(sub -> 'customer', sub #>> '{metadata,org_id}');
  current_row public.subscriptions;
  item jsonb := sub #> '{items,data,0}';
  sub_status text := case when deleted then 'canceled' else sub ->> 'status' end;
  canceling boolean := coalesce((sub ->> 'cancel_at_period_end')::boolean, false)
    or coalesce(jsonb_typeof(sub -> 'cancel_at') = 'number', false);
  next_status public.subscription_status;
  reason text;
  grace timestamptz;
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  if current_row.state_event_at > created then
    return 'stale';
  end if;
  -- An organization that subscribed again ignores what happens to its old subscription.
  if current_row.stripe_subscription_id is distinct from sub ->> 'id' and current_row.stripe_status in ('active', 'trialing', 'past_due')
     and (deleted or sub_status in ('canceled', 'incomplete_expired')) then
    return 'ignored: not the current subscription';
  end if;
  -- Within one second, an ended subscription stays ended.
  if current_row.stripe_subscription_id = sub ->> 'id' and current_row.stripe_status = 'canceled'
     and current_row.state_event_at = created and not deleted then
    return 'stale';
  end if;

  next_status := current_row.status;
  case
    when sub_status = 'canceled' then next_status := 'read_only'; reason := 'canceled';
    when sub_status in ('unpaid', 'incomplete_expired', 'paused') then next_status := 'read_only'; reason := 'unpaid';
    when sub_status = 'past_due' then
      next_status := 'past_due';
      grace := case when current_row.status = 'past_due' then current_row.grace_until
        else created + make_interval(days => (select a.grace_days from public.app_settings a)) end;
    when sub_status in ('active', 'trialing') then
      next_status := case when canceling then 'canceling' else 'active' end;
    else
      null; -- incomplete: the first payment is not done; the organization stays as it is
  end case;

  update public.subscriptions s set
    status = next_status,
    read_only_reason = case when next_status = 'read_only' then coalesce(reason, current_row.read_only_reason) end,
    grace_until = case when next_status = 'past_due' then coalesce(grace, current_row.grace_until) end,
    plan_id = coalesce(
      (select p.id from public.plans p
       where p.stripe_price_id = coalesce(item #>> '{price,id}', sub #>> '{plan,id}')),
      current_row.plan_id),
    current_period_start = coalesce(private.stripe_time(item -> 'current_period_start'),
      private.stripe_time(sub -> 'current_period_start'), current_row.current_period_start),
    current_period_end = coalesce(private.stripe_time(item -> 'current_period_end'),
      private.stripe_time(sub -> 'current_period_end'), current_row.current_period_end),
    cancel_at_period_end = canceling,
    stripe_customer_id = coalesce(current_row.stripe_customer_id, private.stripe_id(sub -> 'customer')),
    stripe_subscription_id = sub ->> 'id',
    stripe_status = sub_status,
    state_event_at = created
  where s.id = current_row.id;
  return 'applied';
end;
$$;
