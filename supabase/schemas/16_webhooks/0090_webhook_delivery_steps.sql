-- The webhooks-send function's steps (supabase/functions/_shared/webhooks/deliver.ts), each one
-- statement's worth of state change, so a worker that dies between them leaves rows another
-- worker can take again (at least once: a receiver may see an attempt twice, by the same id).

-- Takes the due deliveries among `delivery_ids` for one attempt each, with what sending needs.
-- The others come back unclaimed: `wait_seconds` until they are due or unlocked, or null when
-- there is nothing left to send (delivered, dead, gone); a delivery whose endpoint was disabled
-- meanwhile ends dead here.
create function private.claim_webhook_deliveries(delivery_ids uuid[], lock_seconds integer)
returns table (
  delivery_id uuid, claimed boolean, wait_seconds integer, attempt integer,
  event_id text, event_type text, event_data jsonb, event_created_at timestamptz, org_id uuid,
  endpoint_id uuid, url text, preset text, secrets text[]
)
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
begin
  update public.webhook_deliveries d
  set status = 'dead', locked_until = null, last_error = 'WEBHOOK_ENDPOINT_DISABLED'
  from public.webhook_endpoints e
  where d.id = any (delivery_ids) and d.status = 'pending' and e.id = d.endpoint_id and not e.enabled;

  return query
  with taken as (
    update public.webhook_deliveries d
    set attempts = d.attempts + 1, locked_until = now() + make_interval(secs => lock_seconds), last_attempt_at = now()
    where d.id = any (delivery_ids) and d.status = 'pending' and d.next_attempt_at <= now()
      and (d.locked_until is null or d.locked_until < now())
      and exists (select from private.webhook_events v where v.id = d.event_id)
    returning d.*
  )
  select t.id, true, null::integer, t.attempts, v.id, v.type, v.data, v.created_at, t.org_id,
         e.id, e.url, e.preset,
         array(select s.secret from private.webhook_secrets s
               where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > now())
               order by s.created_at desc)
  from taken t
  join private.webhook_events v on v.id = t.event_id
  join public.webhook_endpoints e on e.id = t.endpoint_id
  union all
  select i.id, false,
         case when d.status = 'pending' and exists (select from private.webhook_events v where v.id = d.event_id) then
           ceil(greatest(0, extract(epoch from greatest(d.next_attempt_at, coalesce(d.locked_until, now())) - now())))::integer + 1
         end,
         null, null, null, null, null, null, null, null, null, null
  from unnest(delivery_ids) i(id)
  left join public.webhook_deliveries d on d.id = i.id
  where not exists (select from taken t where t.id = i.id);
end;
$$;

comment on function private.claim_webhook_deliveries(uuid[], integer) is
  'webhooks-send: takes the due deliveries for one attempt (claimed) and says of the others how long to wait (null: nothing to send).';

-- After an attempt: delivered on a 2xx; else the next attempt by the retry schedule, or dead
-- after the last. A failure also starts (or continues) the endpoint's failure clock: past
-- `disable_after` without a success the endpoint is disabled, its waiting deliveries end dead
-- and its admins get a mail. Answers the seconds until the next attempt, null when none.
create function private.webhook_attempt_done(
  delivery_id uuid, succeeded boolean, status_code integer, latency_ms integer, response text, error text
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  settings private.webhook_settings;
  delivery public.webhook_deliveries;
  endpoint public.webhook_endpoints;
  waits interval;
begin
  select * into settings from private.webhook_settings;
  -- The endpoint's row before the delivery's, in the order disabling takes them, so settling
  -- attempts and disabling never wait on each other in a circle. A success on a healthy endpoint
  -- (the common case) locks nothing but its delivery.
  select e.* into endpoint from public.webhook_endpoints e
  join public.webhook_deliveries d on d.endpoint_id = e.id
  where d.id = delivery_id;
  if not succeeded or endpoint.failing_since is not null then
    select * into endpoint from public.webhook_endpoints e where e.id = endpoint.id for update;
  end if;

  update public.webhook_deliveries d
  set status = case when succeeded then 'delivered' else d.status end,
      delivered_at = case when succeeded then now() end,
      locked_until = null, last_status = status_code, last_latency_ms = latency_ms,
      last_response = left(response, 1000), last_error = left(error, 1000)
  where d.id = delivery_id and d.status = 'pending'
  returning * into delivery;
  if delivery.id is null then
    return null; -- replayed or disabled meanwhile: nothing to schedule
  end if;
  if succeeded then
    if endpoint.failing_since is not null then
      update public.webhook_endpoints e set failing_since = null where e.id = endpoint.id;
    end if;
    return null;
  end if;

  if endpoint.failing_since is null then
    update public.webhook_endpoints e set failing_since = now() where e.id = endpoint.id
    returning * into endpoint;
  end if;
  if endpoint.enabled and endpoint.failing_since <= now() - settings.disable_after then
    perform private.disable_failing_webhook_endpoint(endpoint.id);
    return null;
  end if;

  if delivery.attempts >= cardinality(settings.retry_schedule) then
    update public.webhook_deliveries d set status = 'dead' where d.id = delivery_id;
    return null;
  end if;
  waits := settings.retry_schedule[delivery.attempts + 1];
  update public.webhook_deliveries d set next_attempt_at = now() + waits where d.id = delivery_id;
  return ceil(extract(epoch from waits))::integer;
end;
$$;

comment on function private.webhook_attempt_done(uuid, boolean, integer, integer, text, text) is
  'webhooks-send: records an attempt; schedules the next by the retry schedule (answers its delay) or ends the delivery (null).';

-- The endpoint's breaker is open: the attempt was not made, so it does not count; the delivery
-- waits until the breaker lets a probe through.
create function private.webhook_attempt_postponed(delivery_id uuid, wait_seconds integer)
returns void
language sql
set search_path = ''
as $$
  update public.webhook_deliveries d
  set attempts = greatest(d.attempts - 1, 0), locked_until = null,
      next_attempt_at = now() + make_interval(secs => wait_seconds), last_error = 'WEBHOOK_BREAKER_OPEN'
  where d.id = delivery_id and d.status = 'pending';
$$;

comment on function private.webhook_attempt_postponed(uuid, integer) is
  'webhooks-send: the endpoint''s circuit breaker is open; the delivery waits without using an attempt.';

create function private.disable_failing_webhook_endpoint(endpoint_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints;
  organization public.organizations;
  recipient record;
begin
  update public.webhook_endpoints e set enabled = false, disabled_reason = 'failing'
  where e.id = endpoint_id and e.enabled
  returning * into endpoint;
  if endpoint.id is null then
    return;
  end if;
  update public.webhook_deliveries d
  set status = 'dead', locked_until = null, last_error = coalesce(d.last_error, 'WEBHOOK_ENDPOINT_DISABLED')
  where d.endpoint_id = endpoint.id and d.status = 'pending';
  select * into organization from public.organizations o where o.id = endpoint.org_id;
  for recipient in
    select u.email, coalesce(p.locale, organization.locale) as locale
    from public.memberships m
    join auth.users u on u.id = m.user_id
    left join public.profiles p on p.user_id = u.id
    where m.org_id = endpoint.org_id and m.role >= 'admin' and u.email_confirmed_at is not null
  loop
    perform private.enqueue_mail('webhook_disabled', recipient.email, recipient.locale,
      jsonb_build_object('organization', organization.name, 'url', endpoint.url,
                         'failing_since', to_char(endpoint.failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
      endpoint.org_id);
  end loop;
end;
$$;

comment on function private.disable_failing_webhook_endpoint(uuid) is
  'Disables an endpoint that failed for too long, ends its waiting deliveries and mails its admins and owners.';
