-- Backed-up tables a restore does not write: who belongs (memberships, invitations), what is
-- history of the old organization (audit log, jobs), and billing, which belongs to the
-- organization and its Stripe customer, not to its data (the new one starts its own trial), and
-- webhook endpoints with their delivery log: their signing secrets are not in a backup, and a
-- restored copy would send the new organization's events to the old one's receivers. Every other
-- table of the backup is restored, including tables of modules added later.
create or replace function private.restore_skipped_tables()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['memberships', 'invitations', 'audit_log', 'jobs', 'subscriptions', 'invoices',
               'credit_balances', 'credit_ledger', 'webhook_endpoints', 'webhook_deliveries']::text[];
$$;

comment on function private.restore_skipped_tables is 'Backed-up tables import.backup does not restore.';
