-- The dispatcher: a kick after commit can be lost, and retries fall due later, so every second
-- the due deliveries are looked at and webhooks-send called only when one is waiting.
create function private.dispatch_webhooks()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select from public.webhook_deliveries d
    where d.status = 'pending' and d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until < now())
  ) then
    perform private.kick_webhooks_send();
  end if;
end;
$$;

comment on function private.dispatch_webhooks() is 'Calls webhooks-send when a delivery is due (pg_cron, every second).';

select cron.schedule('webhooks-dispatch', '1 seconds', 'select private.dispatch_webhooks()');
