-- The mail to an organization's admins when a failing endpoint is disabled
-- (supabase/functions/_shared/mail/templates/webhook_disabled.*).
insert into private.mail_templates (name, module) values ('webhook_disabled', 'webhooks')
on conflict (name) do nothing;
