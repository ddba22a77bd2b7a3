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
