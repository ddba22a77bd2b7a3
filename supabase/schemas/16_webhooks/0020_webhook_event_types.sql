-- The event catalog. Record tables give `<entity>.created|updated|deleted` for every table in
-- private.tracked_tables (derived, so a table enrolled tomorrow has its events); every other
-- event is a row here, which the module that emits it inserts (the notifications module's
-- reminders, for instance), then calls private.emit_webhook_event.
create table private.webhook_event_types (
  name text primary key check (name ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
  description text not null
);

comment on table private.webhook_event_types is
  'Webhook event types other than record changes; a module adds its own rows (docs/webhooks.md, "Event catalog").';

alter table private.webhook_event_types enable row level security;

insert into private.webhook_event_types (name, description) values
  ('file.uploaded', 'A file landed in an organization''s attachments folder.'),
  ('export.finished', 'An export or report job ended (succeeded, failed or dead).'),
  ('import.finished', 'An import job ended (succeeded, failed or dead).'),
  ('subscription.state_changed', 'The organization''s subscription changed status (trialing, active, past_due, ...).'),
  ('credits.low', 'The credit balance fell below the low-credit threshold.'),
  ('reminder.due', 'A reminder window opened: a contract''s notice deadline or end, a warranty, insurance, maintenance, ...'),
  ('webhook.test', 'Sent on request by send_webhook_test; carries nothing else.');

-- The entity a tracked table's events are named by: transactions -> transaction.
create function private.webhook_entity(table_name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when table_name ~ 'ies$' then regexp_replace(table_name, 'ies$', 'y')
    when table_name ~ '(ss|us)$' then table_name
    when table_name ~ 'ses$' then regexp_replace(table_name, 'es$', '')
    else regexp_replace(table_name, 's$', '')
  end;
$$;

comment on function private.webhook_entity(text) is 'The singular a table''s webhook events are named by (transactions: transaction).';

-- Every event type there is: the rows above and each tracked table's three.
create function private.webhook_event_type_names()
returns setof text
language sql
stable
set search_path = ''
as $$
  select t.name from private.webhook_event_types t
  union
  select private.webhook_entity(tt.table_name) || '.' || op
  from private.tracked_tables tt, unnest(array['created', 'updated', 'deleted']) op;
$$;

comment on function private.webhook_event_type_names() is 'All webhook event types: the catalog rows and created/updated/deleted of each tracked table.';

-- Whether `filter` (an event type, `entity.*` or `*`) names something that exists.
create function private.webhook_filter_known(filter text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select filter = '*' or exists (
    select from private.webhook_event_type_names() n
    where n = filter or (filter ~ '\.\*$' and split_part(n, '.', 1) = split_part(filter, '.', 1))
  );
$$;

-- Whether an endpoint subscribed to `filters` wants an event of `event_type`.
create function private.webhook_filters_match(filters text[], event_type text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select event_type = any (filters) or '*' = any (filters)
    or (split_part(event_type, '.', 1) || '.*') = any (filters);
$$;
