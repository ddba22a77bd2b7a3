-- The webhooks module's mail template as a row of private.mail_templates, which replaced the
-- outbox's check listing every template name (20261207121451_notifications): without it, the mail
-- to admins about a disabled endpoint would be refused by the outbox's foreign key.
-- Touches: private.mail_templates (webhook_disabled).

insert into private.mail_templates (name, module) values ('webhook_disabled', 'webhooks')
on conflict (name) do nothing;
