-- Calls webhooks-send after commit, once per transaction however many events it wrote; the
-- dispatcher (every second) finds what a lost call left.
create function private.kick_webhooks_send()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if current_setting('westwallet.webhooks_kicked', true) is distinct from 'yes' then
    perform set_config('westwallet.webhooks_kicked', 'yes', true);
    perform private.call_function('webhooks-send', 30000);
  end if;
end;
$$;

comment on function private.kick_webhooks_send() is 'Asks webhooks-send, once per transaction and after commit, to deliver what is due.';

-- The one way an event enters: written with a delivery per enabled endpoint that wants it, in the
-- caller's transaction, so a write and its webhooks commit or roll back together. Cheap when the
-- organization has no endpoint: one index probe. Answers the event id, null when nobody wants it.
create function private.emit_webhook_event(org_id uuid, event_type text, data jsonb)
returns text
language plpgsql
set search_path = ''
as $$
declare
  event_id text;
  queued integer;
begin
  if not exists (
    select from public.webhook_endpoints e
    where e.org_id = emit_webhook_event.org_id and e.enabled
      and private.webhook_filters_match(e.event_types, event_type)
  ) then
    return null;
  end if;
  insert into private.webhook_events (org_id, type, data)
  values (emit_webhook_event.org_id, event_type, data)
  returning id into event_id;
  with added as (
    insert into public.webhook_deliveries (org_id, endpoint_id, event_id, event_type)
    select e.org_id, e.id, event_id, event_type
    from public.webhook_endpoints e
    where e.org_id = emit_webhook_event.org_id and e.enabled
      and private.webhook_filters_match(e.event_types, event_type)
    returning id
  )
  select count(*) into queued from (
    select pgmq.send('webhooks', jsonb_build_object('delivery_id', a.id)) from added a
  ) sent;
  perform private.kick_webhooks_send();
  return event_id;
end;
$$;

comment on function private.emit_webhook_event(uuid, text, jsonb) is
  'Writes a webhook event and its deliveries (one per enabled endpoint subscribed to the type) in the caller''s transaction; answers the event id or null.';
