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
