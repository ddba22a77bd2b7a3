-- The mail to an organization's admins when a failing endpoint is disabled
-- (supabase/functions/_shared/mail/templates/webhook_disabled.*).
alter table private.mail_outbox drop constraint mail_outbox_template_check;
alter table private.mail_outbox add constraint mail_outbox_template_check
  check (template in ('invitation', 'export_ready', 'webhook_disabled'));
