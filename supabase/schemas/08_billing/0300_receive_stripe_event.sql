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
