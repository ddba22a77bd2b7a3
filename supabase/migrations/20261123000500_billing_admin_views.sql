-- Views for operators in the SQL editor (schema admin, never exposed through the Data API):
-- organizations with their plan and state, payments, credits, failed webhook events and the
-- configuration history; and a function to apply a failed Stripe event again.
--   select * from admin.organizations_overview order by last_activity_at desc nulls last;
--   select * from admin.failed_stripe_events;
--   select admin.retry_stripe_event('evt_...');
-- Touches: views and a function in schema admin.

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

create view admin.payments as
select
  i.issued_at,
  i.org_id,
  o.name as organization,
  i.number,
  i.status,
  i.amount_due,
  i.amount_paid,
  i.currency,
  i.period_start,
  i.period_end,
  i.hosted_invoice_url,
  i.invoice_pdf,
  i.stripe_invoice_id
from public.invoices i
join public.organizations o on o.id = i.org_id;
comment on view admin.payments is 'Stripe invoices of every organization (amounts in minor units); order by issued_at desc.';

create view admin.credit_balances as
select
  b.org_id,
  o.name as organization,
  b.balance,
  b.updated_at,
  s.plan_id,
  p.monthly_credits
from public.credit_balances b
join public.organizations o on o.id = b.org_id
left join public.subscriptions s on s.org_id = b.org_id
left join public.plans p on p.id = s.plan_id;
comment on view admin.credit_balances is 'Each organization''s credit balance and its plan''s monthly allowance.';

create view admin.recent_credit_ledger as
select
  l.created_at,
  l.org_id,
  o.name as organization,
  l.kind,
  l.amount,
  l.balance_after,
  l.reason,
  l.reference,
  l.idempotency_key,
  l.actor_id
from public.credit_ledger l
join public.organizations o on o.id = l.org_id
where l.created_at > now() - interval '30 days';
comment on view admin.recent_credit_ledger is 'Credit ledger rows of the last 30 days, every organization.';

create view admin.failed_stripe_events as
select
  e.received_at,
  e.id,
  e.type,
  e.created,
  e.org_id,
  e.attempts,
  coalesce(e.error, e.outcome) as problem,
  e.payload
from private.stripe_events e
where e.processed_at is null or e.outcome = 'ignored: no organization';
comment on view admin.failed_stripe_events is
  'Stripe events not applied: failed (with the error; Stripe retries for three days) or not matched to an organization.';

create view admin.config_history as
select c.created_at, c.table_name, c.key, c.operation, c.old_values, c.new_values, c.actor_id, u.email as actor_email, c.actor_role
from private.config_changes c
left join auth.users u on u.id = c.actor_id;
comment on view admin.config_history is 'Every change to app_settings, plans and platform_admins, and who made it.';

-- Applies a stored Stripe event again (after fixing what made it fail); answers the outcome.
create function admin.retry_stripe_event(event_id text)
returns text
language sql
set search_path = ''
as $$
  select private.receive_stripe_event(e.payload) from private.stripe_events e where e.id = event_id;
$$;
comment on function admin.retry_stripe_event is 'Applies a failed Stripe event again; answers applied, stale, ignored, duplicate or failed.';
