-- The export kinds (supabase/functions/_shared/exports/kinds.ts).
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
