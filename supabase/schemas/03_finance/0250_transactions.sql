create table public.transactions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.transaction_kind not null,
  booked_on date not null,
  -- Always positive: the kind says which way the money goes.
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null references public.currencies (code),
  -- Base-currency units per unit of `currency`: given by the client (the rate on the bank
  -- statement) or looked up in exchange_rates; 1 for the base currency.
  fx_rate numeric(20, 10) check (fx_rate > 0),
  base_amount_minor bigint not null default 0,
  account_id uuid,
  -- What the account moved, in the account's currency (set by the database).
  account_amount_minor bigint,
  to_account_id uuid,
  to_amount_minor bigint check (to_amount_minor > 0),
  vendor_id uuid,
  -- The payee as written on the receipt or statement; names a vendor, created on first use.
  counterparty text check (char_length(counterparty) <= 200),
  category_id uuid,
  description text check (char_length(description) <= 500),
  notes text check (char_length(notes) <= 5000),
  payment_method public.payment_method,
  contract_id uuid,
  vehicle_id uuid,
  property_id uuid,
  -- True while the parts in transaction_splits carry the categories (set_transaction_splits()).
  is_split boolean not null default false,
  search_text text generated always as (
    lower(coalesce(description, '') || ' ' || coalesce(counterparty, '') || ' ' || coalesce(notes, ''))
  ) stored,
  foreign key (org_id, account_id) references public.accounts (org_id, id),
  foreign key (org_id, to_account_id) references public.accounts (org_id, id),
  foreign key (org_id, vendor_id) references public.vendors (org_id, id) on delete set null (vendor_id),
  foreign key (org_id, category_id) references public.categories (org_id, id) on delete set null (category_id)
);

comment on table public.transactions is
  'Expenses, income and transfers (one movement with two legs: account_id to to_account_id). Amounts in minor units; base_amount_minor in the organization''s base currency.';

select private.enroll_record_table('public.transactions');

-- Newest first, paged by (booked_on, reference): references grow within an organization, so
-- they order a day's transactions as they were entered.
create index transactions_org_id_booked_on_idx on public.transactions (org_id, booked_on desc, reference desc)
  where deleted_at is null;

create index transactions_org_id_account_idx on public.transactions (org_id, account_id, booked_on desc)
  where deleted_at is null and account_id is not null;

create index transactions_org_id_to_account_idx on public.transactions (org_id, to_account_id)
  where to_account_id is not null;

-- Not partial: delete_category() must find trashed transactions too.
create index transactions_org_id_category_idx on public.transactions (org_id, category_id, booked_on desc);

create index transactions_org_id_vendor_idx on public.transactions (org_id, vendor_id, booked_on desc)
  where deleted_at is null and vendor_id is not null;

create index transactions_org_id_contract_idx on public.transactions (org_id, contract_id, booked_on desc)
  where contract_id is not null;

create index transactions_org_id_vehicle_idx on public.transactions (org_id, vehicle_id, booked_on desc)
  where vehicle_id is not null;

create index transactions_org_id_property_idx on public.transactions (org_id, property_id, booked_on desc)
  where property_id is not null;

create index transactions_search_text_trgm_idx on public.transactions using gin (search_text extensions.gin_trgm_ops)
  where deleted_at is null;

-- Runs before stamp_record (alphabetical), so a refused row uses up no reference.
create trigger prepare_transaction before insert or update on public.transactions
  for each row execute function private.prepare_transaction();

-- Found by the benchmark (bench/, issue 6), fourth round: one plan for every small organization's
-- list.
-- Touches: the planner statistics of public.transactions.org_id (no data, no function).
--
-- The policies' `org_id = any (...)` makes Postgres believe about 1 % of an organization's rows
-- are visible, so it plans a household's newest-50 list for 10 to 20 rows. Near the low end it
-- walks the (org_id, booked_on, reference) index in order and stops after 50 rows (0.8 ms); near
-- the high end it reads all the household's rows, joins the vendors by hash and sorts (3.3 to
-- 4.9 ms). Which end a household landed on depended on sampling noise: with the default 30,000
-- sampled rows a household has about 15 of them, and the households that drew a few more
-- entered the most-common-values list with twice their real share. In the benchmark's data set
-- (1,000 households beside one company of a million rows) 4 of 200 households got the sorting
-- plan. Sampling 300,000 rows measures each organization's share closely enough that none did.
-- ANALYZE of the table takes about 1.7 s instead of 0.3 s at two million rows.
alter table public.transactions alter column org_id set statistics 1000;

-- prepare_transaction stamps inserts after the one lookup it makes; the record contract's stamp
-- trigger guards updates only.
drop trigger stamp_record on public.transactions;

create trigger stamp_record before update on public.transactions
  for each row execute function private.stamp_record();

alter table public.transactions
  add constraint transactions_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint transactions_base_amount_minor_range check (private.amount_in_range(base_amount_minor)),
  add constraint transactions_account_amount_minor_range check (private.amount_in_range(account_amount_minor)),
  add constraint transactions_to_amount_minor_range check (private.amount_in_range(to_amount_minor)),
  add constraint transactions_booked_on_range check (private.calendar_day_in_range(booked_on));
