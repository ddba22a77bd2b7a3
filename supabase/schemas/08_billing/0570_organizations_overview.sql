create view admin.organizations_overview as
select
  o.id as org_id,
  o.name,
  o.kind,
  o.created_at,
  s.plan_id,
  p.name as plan_name,
  case when s.suspended_at is not null then 'suspended' else s.status::text end as state,
  s.read_only_reason,
  case when s.status = 'trialing'
    then greatest(0, ceil(extract(epoch from s.trial_ends_at - now()) / 86400))::integer
  end as trial_days_left,
  s.stripe_subscription_id is not null and s.status in ('active', 'canceling') as is_paid,
  private.write_refusal(o.id) is null as in_good_standing,
  s.grace_until,
  s.current_period_end,
  case when s.payment_method_last4 is not null
    then format('%s •••• %s', coalesce(s.payment_method_brand, 'card'), s.payment_method_last4)
  end as payment_method,
  (select count(*) from public.memberships m where m.org_id = o.id) as members,
  b.balance as credit_balance,
  (select a.created_at from public.audit_log a where a.org_id = o.id order by a.id desc limit 1) as last_activity_at,
  s.stripe_customer_id,
  s.stripe_subscription_id,
  s.suspended_reason
from public.organizations o
left join public.subscriptions s on s.org_id = o.id
left join public.plans p on p.id = s.plan_id
left join public.credit_balances b on b.org_id = o.id;

comment on view admin.organizations_overview is
  'Every organization: plan, state, trial days left, paid or not, card, members, credits, last activity (its newest audit row).';
