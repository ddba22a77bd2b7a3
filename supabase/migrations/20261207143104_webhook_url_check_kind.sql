-- The job kind that checks a webhook receiver's name (16_webhooks/0175_check_webhook_url.sql).
-- Touches: private.job_kinds (a row).
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('webhooks.check_url', 'admin', 3, 5,
   'Resolves a webhook receiver''s name after registration and disables the endpoint when it points at a private, loopback or metadata address.');
