-- The rows of the webhook module a schema diff does not see: the settings row (production
-- defaults) and the catalog of event types that are no table's change.
-- Touches: private.webhook_settings, private.webhook_event_types (rows).

insert into private.webhook_settings default values;

insert into private.webhook_event_types (name, description) values
  ('file.uploaded', 'A file landed in an organization''s attachments folder.'),
  ('export.finished', 'An export or report job ended (succeeded, failed or dead).'),
  ('import.finished', 'An import job ended (succeeded, failed or dead).'),
  ('subscription.state_changed', 'The organization''s subscription changed status (trialing, active, past_due, ...).'),
  ('credits.low', 'The credit balance fell below the low-credit threshold.'),
  ('webhook.test', 'Sent on request by send_webhook_test; carries nothing else.');
