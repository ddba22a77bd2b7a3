-- The kinds the worker knows (supabase/functions/_shared/jobs/kinds.ts), with what SQL decides
-- for them: who may enqueue, how often to try, how long to wait before the first retry (then
-- twice as long each time). Parameters are validated by the kind's zod schema in the worker.
-- Each module inserts its own kinds, in its own schema file and a data migration of its own.
create table private.job_kinds (
  name text primary key check (name ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
  role public.org_role not null,
  max_attempts integer not null check (max_attempts between 1 and 25),
  retry_base_seconds integer not null check (retry_base_seconds between 1 and 86400),
  description text not null check (length(description) between 1 and 1000)
);

comment on table private.job_kinds is
  'Job kinds: the role that may enqueue each, its attempts and first retry delay. The worker''s registry must name the same kinds.';

insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('diagnostics.probe', 'member', 4, 1,
   'Diagnostic: runs `steps` steps (one row each in private.diagnostic_probe_steps), '
   'can fail its first `fail_times` runs, sleep `step_ms` per step, or hang once at '
   '`hang_at_step` past the worker''s step limit; shows that retries, recovery and progress work.'),
  ('maintenance.rebuild_totals', 'admin', 3, 30,
   'Recomputes the organization''s statistics from its transactions (private.rebuild_monthly_totals).');
