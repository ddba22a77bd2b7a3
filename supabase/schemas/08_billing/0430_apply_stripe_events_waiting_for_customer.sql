-- At commit of a transaction that gave an organization its Stripe customer: the events waiting
-- for that customer, oldest first. Deferred, so that the event that linked the customer has
-- finished with the subscription row before the waiting ones read it. One that a redelivery is
-- applying right now (row locked) is left to it: that redelivery then sees the customer.
create function private.apply_stripe_events_waiting_for_customer()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  waiting private.stripe_events;
begin
  perform pg_advisory_xact_lock(hashtextextended('stripe customer ' || new.stripe_customer_id, 0));
  for waiting in
    select * from private.stripe_events e
    where e.processed_at is null and e.outcome = 'waiting: unknown customer'
      and private.stripe_id(e.payload #> '{data,object,customer}') = new.stripe_customer_id
    order by e.created, e.id
    for update skip locked
  loop
    perform private.receive_stripe_event(waiting.payload);
  end loop;
  return null;
end;
$$;
