create view public.billing_status with (security_invoker = true) as
select
  s.org_id,
  case when s.suspended_at is not null then 'suspended' else s.status::text end as state,
  s.read_only_reason,
  s.plan_id,
  p.name as plan_name,
  s.trial_started_at,
  s.trial_ends_at,
  case when s.status = 'trialing'
    then greatest(0, ceil(extract(epoch from s.trial_ends_at - now()) / 86400))::integer
  end as trial_days_left,
  s.grace_until,
  s.current_period_start,
  s.current_period_end,
  s.cancel_at_period_end,
  s.stripe_subscription_id is not null and s.status in ('active', 'canceling') as is_paid,
  private.write_refusal(s.org_id) is null as in_good_standing,
  private.write_refusal(s.org_id) as refusal_code,
  s.payment_method_brand,
  s.payment_method_last4,
  coalesce(p.max_members, a.max_members) as max_members,
  s.suspended_at,
  s.updated_at
from public.subscriptions s
cross join public.app_settings a
left join public.plans p on p.id = s.plan_id;

comment on view public.billing_status is
  'Each of the caller''s organizations: state (trialing, active, past_due, canceling, read_only, suspended), days left, paid or not, good standing.';

grant select on public.billing_status to authenticated;

create trigger refuse_writes instead of insert or update or delete on public.billing_status
  for each row execute function private.refuse_view_write('public.subscriptions (through the billing functions)');
