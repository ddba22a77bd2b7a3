-- The endpoint an admin of its organization acts on, locked; WEBHOOK_ENDPOINT_NOT_FOUND for an
-- endpoint the caller cannot see (another organization's looks like none), ROLE_FORBIDDEN for a
-- member below admin.
create function private.admin_webhook_endpoint(endpoint_id uuid)
returns public.webhook_endpoints
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_endpoint public.webhook_endpoints;
begin
  perform private.require_user();
  select * into found_endpoint from public.webhook_endpoints e where e.id = endpoint_id for update;
  if found_endpoint.id is null or not private.has_org_role(found_endpoint.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'WEBHOOK_ENDPOINT_NOT_FOUND', detail = 'No such webhook endpoint.';
  end if;
  perform private.require_org_role(found_endpoint.org_id, 'admin');
  return found_endpoint;
end;
$$;

-- What a write of an endpoint must satisfy: a URL the database can accept and known event types.
create function private.check_webhook_endpoint(url text, event_types text[], preset text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  refusal text := private.webhook_url_refusal(url, (select s.allow_loopback from private.webhook_settings s));
  unknown text;
begin
  if refusal is not null then
    raise sqlstate 'PT400' using message = refusal,
      detail = case refusal when 'WEBHOOK_URL_INVALID' then 'A receiver URL is http(s)://host[:port]/path, at most 2,000 characters, without credentials.'
                            else 'The URL points at a private, loopback, link-local or metadata address.' end;
  end if;
  if event_types is null or cardinality(event_types) not between 1 and 100 then
    raise sqlstate 'PT400' using message = 'WEBHOOK_EVENT_TYPE_UNKNOWN', detail = 'Name 1 to 100 event types (or "*").';
  end if;
  select f into unknown from unnest(event_types) f where f is null or not private.webhook_filter_known(f) limit 1;
  if found then
    raise sqlstate 'PT400' using message = 'WEBHOOK_EVENT_TYPE_UNKNOWN', detail = format('No event type %s.', coalesce(unknown, 'null'));
  end if;
  if preset is null or preset not in ('standard', 'slack', 'teams', 'discord', 'home_assistant') then
    raise sqlstate 'PT400' using message = 'WEBHOOK_PRESET_UNKNOWN',
      detail = 'The preset is standard, slack, teams, discord or home_assistant.';
  end if;
end;
$$;

create function private.create_webhook_endpoint(
  org_id uuid, url text, event_types text[], preset text, description text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  created public.webhook_endpoints;
  secret text := private.new_webhook_secret();
begin
  perform private.require_org_role(create_webhook_endpoint.org_id, 'admin');
  perform private.check_webhook_endpoint(url, event_types, coalesce(preset, 'standard'));
  insert into public.webhook_endpoints (org_id, url, event_types, preset, description, created_by)
  values (create_webhook_endpoint.org_id, url, event_types, coalesce(preset, 'standard'), description, auth.uid())
  returning * into created;
  insert into private.webhook_secrets (org_id, endpoint_id, secret) values (created.org_id, created.id, secret);
  return to_jsonb(created) || jsonb_build_object('secret', secret);
end;
$$;

create function private.update_webhook_endpoint(
  endpoint_id uuid, url text, event_types text[], preset text, description text, enabled boolean
)
returns public.webhook_endpoints
language plpgsql
security definer
set search_path = ''
as $$
declare
  current_endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  updated public.webhook_endpoints;
begin
  perform private.check_webhook_endpoint(coalesce(url, current_endpoint.url),
    coalesce(event_types, current_endpoint.event_types), coalesce(preset, current_endpoint.preset));
  update public.webhook_endpoints e
  set url = coalesce(update_webhook_endpoint.url, e.url),
      event_types = coalesce(update_webhook_endpoint.event_types, e.event_types),
      preset = coalesce(update_webhook_endpoint.preset, e.preset),
      description = coalesce(update_webhook_endpoint.description, e.description),
      enabled = coalesce(update_webhook_endpoint.enabled, e.enabled),
      -- Enabled again by an admin: the failure clock starts over.
      disabled_reason = case when coalesce(update_webhook_endpoint.enabled, e.enabled) then null else e.disabled_reason end,
      failing_since = case when update_webhook_endpoint.enabled then null else e.failing_since end
  where e.id = endpoint_id
  returning * into updated;
  return updated;
end;
$$;

create function private.delete_webhook_endpoint(endpoint_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.admin_webhook_endpoint(endpoint_id);
  delete from public.webhook_endpoints e where e.id = endpoint_id;
end;
$$;

-- A new current secret; the previous current one keeps signing for `overlap_seconds` (0: stops
-- now), so receivers can switch without losing a delivery. Older rotated secrets end now.
create function private.rotate_webhook_secret(endpoint_id uuid, overlap_seconds integer)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  secret text := private.new_webhook_secret();
begin
  if overlap_seconds is null or overlap_seconds not between 0 and 7 * 86400 then
    raise sqlstate 'PT400' using message = 'WEBHOOK_OVERLAP_INVALID', detail = 'The overlap is 0 to 604800 seconds (a week).';
  end if;
  delete from private.webhook_secrets s
  where s.endpoint_id = endpoint.id and s.expires_at is not null;
  update private.webhook_secrets s set expires_at = now() + make_interval(secs => overlap_seconds)
  where s.endpoint_id = endpoint.id and s.expires_at is null;
  insert into private.webhook_secrets (org_id, endpoint_id, secret) values (endpoint.org_id, endpoint.id, secret);
  return secret;
end;
$$;

create function private.webhook_endpoint_secrets(endpoint_id uuid)
returns table (secret text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.admin_webhook_endpoint(endpoint_id);
  return query
    select s.secret, s.expires_at from private.webhook_secrets s
    where s.endpoint_id = webhook_endpoint_secrets.endpoint_id and (s.expires_at is null or s.expires_at > now())
    order by s.created_at desc;
end;
$$;

-- A webhook.test event to this endpoint only, whatever it subscribes to.
create function private.send_webhook_test(endpoint_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.admin_webhook_endpoint(endpoint_id);
  event_id text;
  delivery_id uuid;
begin
  if not endpoint.enabled then
    raise sqlstate 'PT409' using message = 'WEBHOOK_ENDPOINT_DISABLED', detail = 'Enable the endpoint first.';
  end if;
  insert into private.webhook_events (org_id, type, data)
  values (endpoint.org_id, 'webhook.test', jsonb_build_object('endpoint_id', endpoint.id, 'requested_by', auth.uid()))
  returning id into event_id;
  insert into public.webhook_deliveries (org_id, endpoint_id, event_id, event_type)
  values (endpoint.org_id, endpoint.id, event_id, 'webhook.test')
  returning id into delivery_id;
  perform pgmq.send('webhooks', jsonb_build_object('delivery_id', delivery_id));
  perform private.kick_webhooks_send();
  return event_id;
end;
$$;
