-- The kinds the worker knows (supabase/functions/_shared/jobs/kinds.ts), with what SQL decides
-- for them: who may enqueue, how often to try, how long to wait before the first retry (then
-- twice as long each time). Parameters are validated by the kind's zod schema in the worker.
create view private.job_kinds as
select k.name, k.role, k.max_attempts, k.retry_base_seconds, k.description
from (
  values
    ('diagnostics.probe', 'member'::public.org_role, 4, 1,
     'Diagnostic: runs `steps` steps (one row each in private.diagnostic_probe_steps), '
     'can fail its first `fail_times` runs, sleep `step_ms` per step, or hang once at '
     '`hang_at_step` past the worker''s step limit; shows that retries, recovery and progress work.'),
    ('maintenance.rebuild_totals', 'admin'::public.org_role, 3, 30,
     'Recomputes the organization''s statistics from its transactions (private.rebuild_monthly_totals).'),
    ('export.csv', 'viewer'::public.org_role, 5, 10,
     'Transactions as CSV, with the filters of search_transactions (docs/exports.md).'),
    ('export.xlsx', 'viewer'::public.org_role, 5, 10,
     'An Excel workbook: transactions, month-by-category summary, budgets, contracts, vehicles, warranties, insurances.'),
    ('report.pdf', 'viewer'::public.org_role, 5, 10,
     'A month or year report as PDF in the organization''s language.'),
    ('export.backup', 'admin'::public.org_role, 5, 10,
     'A full backup as ZIP: manifest, NDJSON per table, CSVs and every attachment''s file.'),
    ('export.purge', 'owner'::public.org_role, 3, 60,
     'Removes the organization''s export files past their retention (admin.expired_exports).')
) as k (name, role, max_attempts, retry_base_seconds, description);

comment on view private.job_kinds is
  'Job kinds: the role that may enqueue each, its attempts and first retry delay. The worker''s registry must name the same kinds.';
