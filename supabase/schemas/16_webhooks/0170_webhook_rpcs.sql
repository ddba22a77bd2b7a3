-- The webhook RPCs: security invoker, each calling its definer in private, which checks the
-- caller's role (admins of the endpoint's organization).

create function public.create_webhook_endpoint(
  org_id uuid, url text, event_types text[], preset text default 'standard', description text default null
)
returns jsonb
language sql
set search_path = ''
as $$ select private.create_webhook_endpoint(org_id, url, event_types, preset, description); $$;

comment on function public.create_webhook_endpoint(uuid, text, text[], text, text) is
  'Admins: registers a receiver; answers the endpoint with its secret (whsec_...), shown this once.';

create function public.update_webhook_endpoint(
  endpoint_id uuid, url text default null, event_types text[] default null, preset text default null,
  description text default null, enabled boolean default null
)
returns public.webhook_endpoints
language sql
set search_path = ''
as $$ select private.update_webhook_endpoint(endpoint_id, url, event_types, preset, description, enabled); $$;

comment on function public.update_webhook_endpoint(uuid, text, text[], text, text, boolean) is
  'Admins: changes what is given (null: unchanged); enabling again restarts the failure clock.';

create function public.delete_webhook_endpoint(endpoint_id uuid)
returns void
language sql
set search_path = ''
as $$ select private.delete_webhook_endpoint(endpoint_id); $$;

comment on function public.delete_webhook_endpoint(uuid) is 'Admins: removes the endpoint with its secrets and delivery log.';

create function public.rotate_webhook_secret(endpoint_id uuid, overlap_seconds integer default 86400)
returns text
language sql
set search_path = ''
as $$ select private.rotate_webhook_secret(endpoint_id, overlap_seconds); $$;

comment on function public.rotate_webhook_secret(uuid, integer) is
  'Admins: a new secret; the previous one keeps signing beside it for overlap_seconds (default a day).';

create function public.webhook_endpoint_secrets(endpoint_id uuid)
returns table (secret text, expires_at timestamptz)
language sql
set search_path = ''
as $$ select * from private.webhook_endpoint_secrets(endpoint_id); $$;

comment on function public.webhook_endpoint_secrets(uuid) is 'Admins: the secrets that sign now, newest first (expires_at set during an overlap).';

create function public.send_webhook_test(endpoint_id uuid)
returns text
language sql
set search_path = ''
as $$ select private.send_webhook_test(endpoint_id); $$;

comment on function public.send_webhook_test(uuid) is 'Admins: sends a webhook.test event to this endpoint; answers its webhook-id.';

create function public.replay_webhook_delivery(delivery_id uuid)
returns void
language sql
set search_path = ''
as $$ select private.replay_webhook_delivery(delivery_id); $$;

comment on function public.replay_webhook_delivery(uuid) is 'Admins: sends a delivery again now (same webhook-id, a fresh retry schedule).';

create function public.replay_failed_webhook_deliveries(endpoint_id uuid, since timestamptz)
returns integer
language sql
set search_path = ''
as $$ select private.replay_failed_webhook_deliveries(endpoint_id, since); $$;

comment on function public.replay_failed_webhook_deliveries(uuid, timestamptz) is
  'Admins: sends every dead delivery of the endpoint created since then again; answers how many.';

grant execute on function
  public.create_webhook_endpoint(uuid, text, text[], text, text),
  public.update_webhook_endpoint(uuid, text, text[], text, text, boolean),
  public.delete_webhook_endpoint(uuid),
  public.rotate_webhook_secret(uuid, integer),
  public.webhook_endpoint_secrets(uuid),
  public.send_webhook_test(uuid),
  public.replay_webhook_delivery(uuid),
  public.replay_failed_webhook_deliveries(uuid, timestamptz)
to authenticated;

grant execute on function
  private.create_webhook_endpoint(uuid, text, text[], text, text),
  private.update_webhook_endpoint(uuid, text, text[], text, text, boolean),
  private.delete_webhook_endpoint(uuid),
  private.rotate_webhook_secret(uuid, integer),
  private.webhook_endpoint_secrets(uuid),
  private.send_webhook_test(uuid),
  private.replay_webhook_delivery(uuid),
  private.replay_failed_webhook_deliveries(uuid, timestamptz)
to authenticated;
