-- The registration check of a receiver's name. The database cannot resolve names, so a URL that
-- passes private.webhook_url_refusal is checked again by the webhooks.check_url job
-- (supabase/functions/_shared/webhooks/check-url.ts), queued with the endpoint and after each
-- change of its URL: it resolves the name as webhooks-send does before every delivery (one
-- resolver, _shared/outbound/ssrf.ts) and disables an endpoint whose name points inside the
-- network (disabled_reason 'url_forbidden'; the job fails with WEBHOOK_URL_FORBIDDEN).
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('webhooks.check_url', 'admin', 3, 5,
   'Resolves a webhook receiver''s name after registration and disables the endpoint when it points at a private, loopback or metadata address.');

create function private.queue_webhook_url_check()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.submit_job(new.org_id, 'webhooks.check_url', jsonb_build_object('endpoint_id', new.id, 'url', new.url),
                             null, 'interactive', auth.uid());
  return null;
end;
$$;

comment on function private.queue_webhook_url_check() is
  'Trigger: queues webhooks.check_url for a new webhook endpoint or a changed URL.';

create trigger queue_url_check after insert on public.webhook_endpoints
  for each row execute function private.queue_webhook_url_check();

create trigger queue_url_check_on_change after update of url on public.webhook_endpoints
  for each row when (old.url is distinct from new.url) execute function private.queue_webhook_url_check();
