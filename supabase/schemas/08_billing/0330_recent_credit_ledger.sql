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
