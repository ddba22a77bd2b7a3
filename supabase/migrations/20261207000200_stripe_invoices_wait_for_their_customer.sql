-- A Stripe invoice event whose customer we do not know yet waits for it, and is applied when the
-- customer becomes known, instead of being answered "ignored" and never seen again.
-- Touches: private.receive_stripe_event, private.stripe_events (events already ignored so),
-- public.subscriptions (a trigger), private.apply_stripe_events_waiting_for_customer (new).
--
-- An invoice finds its organization by the org_id in its subscription's metadata or by its
-- customer. Without either (an invoice of the legacy shape, a subscription made outside
-- Checkout, a customer stored after its first invoice) invoice.paid was marked processed as
-- 'ignored: no organization': the organization lost the payment from its history, and the
-- payment's effect on its standing, until an operator noticed.
--
-- Why wait rather than answer Stripe with an error so that it retries: Stripe retries for three
-- days (a few hours in test mode), an hour apart and more, so the invoice would arrive late
-- even when its customer appears a second later; an invoice of a customer that never appears
-- (another product on the same Stripe account) would fail for three days, raising Stripe's
-- alarms about the endpoint; and whether it ever lands would depend on Stripe's schedule.
-- Waiting, the event is applied in the transaction that makes its customer known
-- (checkout.session.completed, customer.subscription.created, billing-checkout storing the
-- customer, or an operator linking it), whichever comes first. It is applied through the usual
-- path, so its `created` time orders it against what was applied meanwhile: a paid invoice older
-- than the checkout is recorded in the history and changes no state ('stale'). One whose
-- customer never appears stays listed in admin.failed_stripe_events as
-- 'waiting: unknown customer'.

-- Stores the event and applies it once. Answers applied, stale, ignored..., duplicate (this id
-- was applied before: nothing changes), waiting: unknown customer (an invoice event, applied when
-- its customer is known), or failed (the error is stored; Stripe will retry).
create or replace function private.receive_stripe_event(event jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  stored private.stripe_events;
  customer text := private.stripe_id(event #> '{data,object,customer}');
  result text;
begin
  if event ->> 'id' is null or event ->> 'type' is null or private.stripe_time(event -> 'created') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'Not a Stripe event: id, type and created are needed.';
  end if;
  insert into private.stripe_events (id, type, created, livemode, api_version, payload)
  values (event ->> 'id', event ->> 'type', private.stripe_time(event -> 'created'),
    coalesce((event ->> 'livemode')::boolean, false), event ->> 'api_version', event)
  on conflict (id) do nothing;
  -- Concurrent deliveries of one id queue here; the second finds it processed.
  select * into stored from private.stripe_events e where e.id = event ->> 'id' for update;
  if stored.processed_at is not null then
    return 'duplicate';
  end if;
  if stored.error is not null then
    update private.stripe_events e set attempts = e.attempts + 1 where e.id = stored.id;
  end if;
  begin
    result := private.apply_stripe_event(stored.payload);
    if result = 'ignored: no organization' and stored.type like 'invoice.%' and customer is not null then
      -- The transaction making this customer known may be committing now: its trigger holds
      -- this lock while it looks for waiting events, so after it, either that transaction is
      -- visible here or this event will be visible to it.
      perform pg_advisory_xact_lock(hashtextextended('stripe customer ' || customer, 0));
      result := private.apply_stripe_event(stored.payload);
      if result = 'ignored: no organization' then
        update private.stripe_events e set outcome = 'waiting: unknown customer', error = null where e.id = stored.id;
        return 'waiting: unknown customer';
      end if;
    end if;
    update private.stripe_events e set
      processed_at = now(), outcome = result, error = null,
      org_id = private.stripe_org(
        coalesce(stored.payload #> '{data,object,customer}', to_jsonb(stored.payload #>> '{data,object,id}')),
        coalesce(stored.payload #>> '{data,object,metadata,org_id}',
          stored.payload #>> '{data,object,parent,subscription_details,metadata,org_id}'))
    where e.id = stored.id;
    return result;
  exception when others then
    update private.stripe_events e set error = format('%s: %s', sqlstate, sqlerrm) where e.id = stored.id;
    return 'failed';
  end;
end;
$$;

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

create constraint trigger apply_stripe_events_waiting_for_customer
  after update of stripe_customer_id on public.subscriptions
  deferrable initially deferred
  for each row
  when (new.stripe_customer_id is not null and old.stripe_customer_id is distinct from new.stripe_customer_id)
  execute function private.apply_stripe_events_waiting_for_customer();

-- Invoice events ignored so before this migration wait too; those whose customer an operator has
-- linked since are applied now.
update private.stripe_events e set processed_at = null, outcome = 'waiting: unknown customer'
where e.outcome = 'ignored: no organization' and e.type like 'invoice.%'
  and private.stripe_id(e.payload #> '{data,object,customer}') is not null;

select private.receive_stripe_event(e.payload)
from private.stripe_events e
where e.outcome = 'waiting: unknown customer'
  and exists (select from public.subscriptions s
              where s.stripe_customer_id = private.stripe_id(e.payload #> '{data,object,customer}'))
order by e.created, e.id;
