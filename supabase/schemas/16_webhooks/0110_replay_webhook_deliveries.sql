-- Replay: the same event (same webhook-id) again, now, with a fresh retry schedule. A pending
-- delivery's lock is kept, so a replay never makes two workers send it at once.
create function private.requeue_webhook_deliveries(delivery_ids uuid[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  requeued integer;
begin
  with again as (
    update public.webhook_deliveries d
    set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
    where d.id = any (delivery_ids)
    returning d.id
  )
  select count(*) into requeued from (select pgmq.send('webhooks', jsonb_build_object('delivery_id', a.id)) from again a) sent;
  if requeued > 0 then
    perform private.kick_webhooks_send();
  end if;
  return requeued;
end;
$$;

create function private.replay_webhook_delivery(delivery_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  delivery public.webhook_deliveries;
begin
  select * into delivery from public.webhook_deliveries d where d.id = delivery_id;
  if delivery.id is null or not private.has_org_role(delivery.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'WEBHOOK_DELIVERY_NOT_FOUND', detail = 'No such webhook delivery.';
  end if;
  perform private.admin_webhook_endpoint(delivery.endpoint_id);
  if not (select e.enabled from public.webhook_endpoints e where e.id = delivery.endpoint_id) then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  perform private.requeue_webhook_deliveries(array[delivery.id]);
end;
$$;

-- Every dead delivery of the endpoint created since `since`; answers how many.
create function private.replay_failed_webhook_deliveries(endpoint_id uuid, since timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
begin
  if since is null then
    raise sqlstate 'PT400' using message = 'WEBHOOK_REPLAY_SINCE_REQUIRED', detail = 'Say since when to replay.';
  end if;
  if not endpoint.enabled then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  return private.requeue_webhook_deliveries(array(
    select d.id from public.webhook_deliveries d
    where d.org_id = endpoint.org_id and d.endpoint_id = endpoint.id and d.status = 'dead' and d.created_at >= since
    order by d.created_at
    limit 10000
  ));
end;
$$;
