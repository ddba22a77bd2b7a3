create or replace function admin.retry_stripe_event(event_id text)
returns text
language sql
set search_path = ''
as $$
  update private.stripe_events e set processed_at = null, outcome = null
  where e.id = retry_stripe_event.event_id and e.outcome = 'ignored: no organization';
  select private.receive_stripe_event(e.payload) from private.stripe_events e where e.id = retry_stripe_event.event_id;
$$;

comment on function admin.retry_stripe_event is 'Applies a failed Stripe event again; answers applied, stale, ignored, duplicate or failed.';
