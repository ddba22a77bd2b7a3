-- What WestWallet tells people about, as rows each module inserts into (as private.job_kinds):
-- imports and insights add theirs from their own schema files. A kind is either computed from
-- dates by `source` (a function of the instant, see 0110_run_reminders.sql) or raised by an event
-- through private.notify. Its defaults are the platform's configuration: a user's own choice
-- (public.notification_preferences) wins over them.
create table private.notification_kinds (
  name text primary key check (name ~ '^[a-z][a-z_]*$'),
  module text not null check (length(module) between 1 and 40),
  -- private.<fn>(as_of timestamptz, org_ids uuid[]) answering the items due (0100_reminder_sources.sql),
  -- or null for an event kind.
  -- A name, not regproc: pg_upgrade refuses reg* columns (splinter's unsupported_reg_types).
  source text check (source ~ '^private\.[a-z][a-z0-9_]*$'),
  -- The mail template of its email (private.mail_templates).
  template text not null references private.mail_templates (name),
  -- Who of an organization hears of it: members from this role up.
  audience public.org_role not null default 'member',
  default_in_app boolean not null default true,
  default_email text not null default 'now' check (default_email in ('off', 'now', 'daily', 'weekly')),
  -- Days before the due day on which a reminder fires, when the item names none.
  default_lead_days smallint[] not null default '{}'
    check (cardinality(default_lead_days) <= 6 and 0 <= all (default_lead_days) and 366 >= all (default_lead_days)),
  -- The title per language (public.locale), with {{item}}, {{due_on}} and {{days}} filled in.
  titles jsonb not null check (jsonb_typeof(titles) = 'object' and titles ? 'en')
);

comment on table private.notification_kinds is
  'Kinds of notification: date-computed (source) or event-raised, their template, audience, default channels and lead days, and titles per language.';

alter table private.notification_kinds enable row level security;
