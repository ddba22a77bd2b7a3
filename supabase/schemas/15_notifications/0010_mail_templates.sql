-- The application's mail templates (supabase/functions/_shared/mail/templates/<name>.mjml), as
-- rows each module inserts into, as private.job_kinds is: the outbox's template column refers to
-- it instead of a check listing every name, so a module adds a template without touching 11_mail.
create table private.mail_templates (
  name text primary key check (name ~ '^[a-z][a-z_]*$'),
  module text not null check (length(module) between 1 and 40)
);

comment on table private.mail_templates is
  'Names of the mail templates mail-send renders (one MJML and JSON each); private.mail_outbox.template refers to it.';

alter table private.mail_templates enable row level security;

insert into private.mail_templates (name, module) values
  ('invitation', 'tenancy'),
  ('export_ready', 'exports'),
  ('reminder', 'notifications'),
  ('digest', 'notifications'),
  ('announcement', 'notifications'),
  ('welcome', 'notifications'),
  ('payment_failed', 'notifications'),
  ('payment_receipt', 'notifications');

alter table private.mail_outbox
  drop constraint mail_outbox_template_check,
  add constraint mail_outbox_template_fkey foreign key (template) references private.mail_templates (name);
