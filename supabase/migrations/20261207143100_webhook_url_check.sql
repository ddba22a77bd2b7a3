-- A receiver's name is resolved after registration and after each URL change (the
-- webhooks.check_url job), and an endpoint whose name points inside the network is disabled.
-- Touches: public.webhook_endpoints (disabled_reason 'url_forbidden', triggers).

alter table "public"."webhook_endpoints" drop constraint "webhook_endpoints_disabled_reason_check";

alter table "public"."webhook_endpoints" add constraint "webhook_endpoints_disabled_reason_check" CHECK ((disabled_reason = ANY (ARRAY['failing'::text, 'url_forbidden'::text]))) not valid;

alter table "public"."webhook_endpoints" validate constraint "webhook_endpoints_disabled_reason_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.queue_webhook_url_check()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform private.submit_job(new.org_id, 'webhooks.check_url', jsonb_build_object('endpoint_id', new.id, 'url', new.url),
                             null, 'interactive', auth.uid());
  return null;
end;
$function$
;

CREATE TRIGGER queue_url_check AFTER INSERT ON public.webhook_endpoints FOR EACH ROW EXECUTE FUNCTION private.queue_webhook_url_check();

CREATE TRIGGER queue_url_check_on_change AFTER UPDATE OF url ON public.webhook_endpoints FOR EACH ROW WHEN ((old.url IS DISTINCT FROM new.url)) EXECUTE FUNCTION private.queue_webhook_url_check();

comment on function private.queue_webhook_url_check() is 'Trigger: queues webhooks.check_url for a new webhook endpoint or a changed URL.';

revoke all on function private.queue_webhook_url_check() from public, anon, authenticated, service_role;
