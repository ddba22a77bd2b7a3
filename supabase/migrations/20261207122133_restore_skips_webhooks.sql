-- A restore no longer writes webhook endpoints or their deliveries: their signing secrets are not
-- in a backup, and a restored endpoint would send the new organization's events to the old one's
-- receivers. Touches: private.restore_skipped_tables().

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.restore_skipped_tables()
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select array['memberships', 'invitations', 'audit_log', 'jobs', 'subscriptions', 'invoices',
               'credit_balances', 'credit_ledger', 'webhook_endpoints', 'webhook_deliveries']::text[];
$function$
;
