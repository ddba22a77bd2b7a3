create table public.import_batches (
  -- The preview job's id: a preview step that runs again finds and replaces its own batch.
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  account_id uuid not null,
  -- The statement file in the imports bucket.
  file_path text not null check (char_length(file_path) between 1 and 1024),
  format public.statement_format not null,
  status public.import_batch_status not null default 'previewed',
  -- How a CSV was read (packages/shared/src/imports/csv-mapping.ts) and the bank preset that
  -- recognised it; null for the structured formats.
  mapping jsonb check (jsonb_typeof(mapping) = 'object' and pg_column_size(mapping) <= 4096),
  preset text check (char_length(preset) <= 40),
  -- The statement as the file gives it.
  statement_account text check (char_length(statement_account) <= 64),
  currency text not null references public.currencies (code),
  opening_balance_minor bigint,
  opening_on date,
  closing_balance_minor bigint,
  closing_on date,
  entry_count integer not null default 0 check (entry_count >= 0),
  new_count integer not null default 0 check (new_count >= 0),
  duplicate_count integer not null default 0 check (duplicate_count >= 0),
  conflict_count integer not null default 0 check (conflict_count >= 0),
  -- The file's own problems, [{ line, code, message }], the first thousand; problem_count counts all.
  problems jsonb not null default '[]' check (jsonb_typeof(problems) = 'array' and pg_column_size(problems) <= 262144),
  problem_count integer not null default 0 check (problem_count >= 0),
  -- After the commit: what it wrote, and the account's balance against the statement's.
  imported_count integer not null default 0 check (imported_count >= 0),
  opening_difference_minor bigint,
  closing_difference_minor bigint,
  created_by uuid,
  created_at timestamptz not null default now(),
  committed_at timestamptz,
  committed_by uuid,
  undone_at timestamptz,
  undone_by uuid,
  unique (org_id, id),
  -- For the rows, which are in the batch's currency.
  unique (org_id, id, currency),
  foreign key (org_id, account_id) references public.accounts (org_id, id) on delete cascade
);

comment on table public.import_batches is
  'One import of a bank statement into an account: the preview''s counts and problems, then what the commit wrote (docs/imports.md). Written by the import jobs; undo_import() undoes a committed batch.';

alter table public.import_batches enable row level security;

create index import_batches_org_id_account_idx on public.import_batches (org_id, account_id, created_at desc);

alter table public.import_batches
  add constraint import_batches_opening_balance_minor_range check (private.amount_in_range(opening_balance_minor)),
  add constraint import_batches_closing_balance_minor_range check (private.amount_in_range(closing_balance_minor)),
  add constraint import_batches_opening_difference_minor_range check (private.amount_in_range(opening_difference_minor)),
  add constraint import_batches_closing_difference_minor_range check (private.amount_in_range(closing_difference_minor)),
  add constraint import_batches_opening_on_range check (private.calendar_day_in_range(opening_on)),
  add constraint import_batches_closing_on_range check (private.calendar_day_in_range(closing_on));

grant select on public.import_batches to authenticated;

create policy "members read their organization's import batches" on public.import_batches
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

-- Audited, synced and broadcast like the records, so an app sees a batch change as the jobs write it.
select private.track_changes('public.import_batches');
