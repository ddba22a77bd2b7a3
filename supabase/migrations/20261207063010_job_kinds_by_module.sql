-- Job kinds become a table each module inserts its own kinds into (its schema file and a data
-- migration of its own), instead of one view every new module had to rewrite.
-- Touches: private.job_kinds (view to table), its rows.

drop view if exists "private"."job_kinds";


  create table "private"."job_kinds" (
    "name" text not null,
    "role" org_role not null,
    "max_attempts" integer not null,
    "retry_base_seconds" integer not null,
    "description" text not null
      );


CREATE UNIQUE INDEX job_kinds_pkey ON private.job_kinds USING btree (name);

alter table "private"."job_kinds" add constraint "job_kinds_pkey" PRIMARY KEY using index "job_kinds_pkey";

alter table "private"."job_kinds" add constraint "job_kinds_description_check" CHECK (((length(description) >= 1) AND (length(description) <= 1000))) not valid;

alter table "private"."job_kinds" validate constraint "job_kinds_description_check";

alter table "private"."job_kinds" add constraint "job_kinds_max_attempts_check" CHECK (((max_attempts >= 1) AND (max_attempts <= 25))) not valid;

alter table "private"."job_kinds" validate constraint "job_kinds_max_attempts_check";

alter table "private"."job_kinds" add constraint "job_kinds_name_check" CHECK ((name ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'::text)) not valid;

alter table "private"."job_kinds" validate constraint "job_kinds_name_check";

alter table "private"."job_kinds" add constraint "job_kinds_retry_base_seconds_check" CHECK (((retry_base_seconds >= 1) AND (retry_base_seconds <= 86400))) not valid;

alter table "private"."job_kinds" validate constraint "job_kinds_retry_base_seconds_check";

comment on table private.job_kinds is 'Job kinds: the role that may enqueue each, its attempts and first retry delay. The worker''s registry must name the same kinds.';

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('diagnostics.probe', 'member', 4, 1,
   'Diagnostic: runs `steps` steps (one row each in private.diagnostic_probe_steps), '
   'can fail its first `fail_times` runs, sleep `step_ms` per step, or hang once at '
   '`hang_at_step` past the worker''s step limit; shows that retries, recovery and progress work.'),
  ('maintenance.rebuild_totals', 'admin', 3, 30,
   'Recomputes the organization''s statistics from its transactions (private.rebuild_monthly_totals).');

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('export.csv', 'viewer', 5, 10,
   'Transactions as CSV, with the filters of search_transactions (docs/exports.md).'),
  ('export.xlsx', 'viewer', 5, 10,
   'An Excel workbook: transactions, month-by-category summary, budgets, contracts, vehicles, warranties, insurances.'),
  ('report.pdf', 'viewer', 5, 10,
   'A month or year report as PDF in the organization''s language.'),
  ('export.backup', 'admin', 5, 10,
   'A full backup as ZIP: manifest, NDJSON per table, CSVs and every attachment''s file.'),
  ('export.purge', 'owner', 3, 60,
   'Removes the organization''s export files past their retention (admin.expired_exports).');
