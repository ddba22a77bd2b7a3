create table public.import_rows (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  batch_id uuid not null,
  -- Where the entry is in the file (line, or entry ordinal for XML formats).
  line integer not null check (line > 0),
  booked_on date not null,
  value_on date,
  -- Signed from the account's side: money out is negative.
  amount_minor bigint not null check (amount_minor <> 0),
  -- The batch's (the account's at the preview): the commit writes each row's account amount as
  -- its own, so the database refuses a row in any other currency (foreign key below).
  currency text not null,
  counterparty text check (char_length(counterparty) <= 200),
  counterparty_account text check (char_length(counterparty_account) <= 64),
  text text check (char_length(text) <= 500),
  bank_reference text check (char_length(bank_reference) <= 200),
  status public.import_row_status not null,
  -- Why a duplicate or conflict: reference, same_day, near_day, reference_amount.
  match_reason text check (match_reason in ('reference', 'same_day', 'near_day', 'reference_amount')),
  -- The transaction this row repeats or conflicts with.
  duplicate_of uuid,
  -- import for new rows, skip for duplicates and conflicts, unless a member decided otherwise.
  decision public.import_decision not null,
  decided_by uuid,
  -- The transaction the commit wrote for this row.
  transaction_id uuid,
  foreign key (org_id, batch_id, currency) references public.import_batches (org_id, id, currency) on delete cascade,
  foreign key (org_id, duplicate_of) references public.transactions (org_id, id) on delete set null (duplicate_of),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete set null (transaction_id)
);

comment on table public.import_rows is
  'The entries of an import batch as the preview staged them, with what they were found to be and the decision a member may change while the batch is previewed.';

alter table public.import_rows enable row level security;

create index import_rows_org_id_batch_idx on public.import_rows (org_id, batch_id, line);
-- For the foreign keys to transactions: deleting a transaction (purging the trash, an undone
-- batch) finds the rows that point at it through these, not by reading every staged row.
create index import_rows_org_id_transaction_idx on public.import_rows (org_id, transaction_id)
  where transaction_id is not null;
create index import_rows_org_id_duplicate_of_idx on public.import_rows (org_id, duplicate_of)
  where duplicate_of is not null;

alter table public.import_rows
  add constraint import_rows_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint import_rows_booked_on_range check (private.calendar_day_in_range(booked_on)),
  add constraint import_rows_value_on_range check (private.calendar_day_in_range(value_on));

grant select on public.import_rows to authenticated;
-- The decision is the one thing a member changes, while the batch is previewed.
grant update (decision) on public.import_rows to authenticated;

create policy "members read their organization's import rows" on public.import_rows
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

create policy "members decide on their organization's import rows" on public.import_rows
  for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

create function private.guard_import_decision()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.decision is distinct from old.decision and current_setting('role', true) = 'authenticated' then
    if not exists (select from public.import_batches b
                   where b.org_id = new.org_id and b.id = new.batch_id and b.status = 'previewed') then
      raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
        detail = 'The batch is committed or being committed: its decisions are final.';
    end if;
    new.decided_by := auth.uid();
  end if;
  return new;
end;
$$;

comment on function private.guard_import_decision() is
  'Lets a member change a row''s decision only while its batch is previewed, and notes who decided (the commit keeps a member''s decision).';

create trigger guard_import_decision before update of decision on public.import_rows
  for each row execute function private.guard_import_decision();
