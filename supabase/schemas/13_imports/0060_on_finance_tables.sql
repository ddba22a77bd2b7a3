-- Transactions know the batch that imported them (undone as a whole) and the bank's reference,
-- the first key of deduplication. Added here, after the record contract's columns, in the order
-- the migration adds them, so the schema and the migrations build the same table.
alter table public.transactions
  add column bank_reference text check (char_length(bank_reference) <= 200),
  add column import_batch_id uuid;

alter table public.transactions
  add constraint transactions_import_batch_fkey foreign key (org_id, import_batch_id)
    references public.import_batches (org_id, id) on delete set null (import_batch_id);

create index transactions_org_id_import_batch_idx on public.transactions (org_id, import_batch_id)
  where import_batch_id is not null;

create index transactions_org_id_account_reference_idx on public.transactions (org_id, account_id, bank_reference)
  where bank_reference is not null and deleted_at is null;
