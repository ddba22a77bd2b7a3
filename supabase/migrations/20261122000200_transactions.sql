-- Transactions: expenses, income and transfers, in any currency with the amount in the
-- organization's base currency beside it; split across categories; tagged; searchable.
-- Links to contracts, vehicles and property are columns here; the modules that own those tables
-- add the foreign keys.
-- Touches: transactions, transaction_splits, transaction_tags, organizations and accounts (currency locks).

create type public.transaction_kind as enum ('expense', 'income', 'transfer');
create type public.payment_method as enum ('card', 'cash', 'bank_transfer', 'direct_debit', 'mobile', 'invoice', 'other');

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

-- Exchange rates ------------------------------------------------------------------------------

-- Base-currency units per unit of `currency` on `on_date`: 1 for the base currency, else that
-- day's rate or the last one within the 7 days before (weekends, holidays); never older, never
-- guessed: null when there is none. Security invoker: a view calling it (contract_overview)
-- reads only the caller's organizations' rates.
create function private.base_rate(org_id uuid, currency text, base_currency text, on_date date)
returns numeric
language sql
stable
set search_path = ''
as $$
  select case when currency = base_currency then 1::numeric else (
    select r.rate from public.exchange_rates r
    where r.org_id = base_rate.org_id and r.currency = base_rate.currency
      and r.rate_date between on_date - 7 and on_date and r.deleted_at is null
    order by r.rate_date desc
    limit 1
  ) end;
$$;

-- amount (minor units of `currency`) × rate, in minor units of the base currency.
create function private.convert_minor(amount_minor bigint, rate numeric, from_currency text, to_currency text)
returns bigint
language sql
stable
set search_path = ''
as $$
  select round(amount_minor * rate * power(10::numeric, t.minor_units - f.minor_units))::bigint
  from public.currencies f, public.currencies t
  where f.code = from_currency and t.code = to_currency;
$$;

-- Both read only what the caller may read: views (contract_overview) use them as the caller.
grant execute on function private.base_rate(uuid, text, text, date), private.convert_minor(bigint, numeric, text, text)
  to authenticated, service_role;

-- An amount in the organization's base currency, the way every money-carrying record converts
-- (transactions, vehicle events, maintenance logs): at the rate the client gave, else at the rate
-- of the date, looked up again when the currency or date changes and the rate does not; no rate
-- fails with FX_RATE_MISSING. `old_*` are the row's values before an update (null on insert).
create function private.to_base(
  org_id uuid,
  amount_minor bigint,
  currency text,
  on_date date,
  given_rate numeric,
  old_currency text,
  old_date date,
  old_rate numeric,
  out base_currency text,
  out fx_rate numeric,
  out base_minor bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  select o.base_currency into base_currency from public.organizations o where o.id = to_base.org_id;
  fx_rate := given_rate;
  if currency = base_currency then
    fx_rate := 1;
  elsif given_rate is null
        or (given_rate is not distinct from old_rate and (currency, on_date) is distinct from (old_currency, old_date)) then
    fx_rate := private.base_rate(org_id, currency, base_currency, on_date);
    if fx_rate is null then
      raise sqlstate 'PT422' using message = 'FX_RATE_MISSING',
        detail = format('No %s rate for %s or the 7 days before; add one to exchange_rates or give fx_rate.', currency, on_date);
    end if;
  end if;
  base_minor := private.convert_minor(amount_minor, fx_rate, currency, base_currency);
end;
$$;

-- Validation and derived columns ----------------------------------------------------------------

create function private.prepare_transaction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  base_currency text;
  account public.accounts;
  to_account public.accounts;
  category_kind public.category_kind;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  new.currency := upper(new.currency);

  -- Splits change only through set_transaction_splits(), which keeps the parts and the whole equal.
  if tg_op = 'INSERT' then
    new.is_split := false;
  elsif private.internal_operation() is distinct from 'splits' then
    new.is_split := old.is_split;
    if old.is_split and (new.amount_minor <> old.amount_minor or new.kind = 'transfer') then
      raise sqlstate 'PT409' using message = 'SPLIT_SUM_MISMATCH',
        detail = 'This transaction is split: change its amount together with its parts (set_transaction_splits).';
    end if;
  end if;

  -- The vendor: named by id, or found (and created on first use) from the counterparty.
  if new.kind <> 'transfer' then
    new.vendor_id := private.named_vendor(new.org_id, new.vendor_id, new.counterparty,
                                          case when tg_op = 'UPDATE' then old.vendor_id end,
                                          case when tg_op = 'UPDATE' then old.counterparty end);
  end if;
  -- A new purchase at a vendor with a default category lands there unless told otherwise.
  if tg_op = 'INSERT' and new.category_id is null and new.vendor_id is not null and new.kind <> 'transfer' then
    select c.id into new.category_id
    from public.vendors v
    join public.categories c on c.org_id = v.org_id and c.id = v.default_category_id and c.deleted_at is null
    where v.org_id = new.org_id and v.id = new.vendor_id and c.kind::text = new.kind::text;
  end if;

  -- Kinds: a transfer moves money between two accounts and has no category or vendor.
  if new.kind = 'transfer' then
    if new.account_id is null or new.to_account_id is null or new.account_id = new.to_account_id then
      raise sqlstate 'PT400' using message = 'TRANSFER_ACCOUNTS_INVALID',
        detail = 'A transfer needs two different accounts: account_id and to_account_id.';
    end if;
    if new.category_id is not null then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A transfer has no category.';
    end if;
  elsif new.to_account_id is not null or new.to_amount_minor is not null then
    raise sqlstate 'PT400' using message = 'TRANSFER_ACCOUNTS_INVALID',
      detail = 'Only a transfer has to_account_id and to_amount_minor.';
  end if;
  if new.category_id is not null then
    if new.is_split then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = 'A split transaction takes its categories from its parts.';
    end if;
    select c.kind into category_kind from public.categories c where c.org_id = new.org_id and c.id = new.category_id;
    if category_kind::text <> new.kind::text then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = format('An %s needs an %s category.', new.kind, new.kind);
    end if;
  end if;

  select b.base_currency, b.fx_rate, b.base_minor into base_currency, new.fx_rate, new.base_amount_minor
  from private.to_base(new.org_id, new.amount_minor, new.currency, new.booked_on, new.fx_rate,
                       case when tg_op = 'UPDATE' then old.currency end, case when tg_op = 'UPDATE' then old.booked_on end,
                       case when tg_op = 'UPDATE' then old.fx_rate end) b;

  -- What the accounts move, each in its own currency. A card in the base currency pays a
  -- foreign purchase with the base amount; any other currency pair is a mistake.
  new.account_amount_minor := null;
  if new.account_id is not null then
    select * into account from public.accounts a where a.org_id = new.org_id and a.id = new.account_id;
    if account.currency = new.currency then
      new.account_amount_minor := new.amount_minor;
    elsif account.currency = base_currency and new.kind <> 'transfer' then
      new.account_amount_minor := new.base_amount_minor;
    elsif account.id is not null then
      raise sqlstate 'PT400' using message = 'ACCOUNT_CURRENCY_MISMATCH',
        detail = format('Account %s is in %s; this transaction is in %s.', account.name, account.currency, new.currency);
    end if;
  end if;
  if new.kind = 'transfer' then
    select * into to_account from public.accounts a where a.org_id = new.org_id and a.id = new.to_account_id;
    if to_account.currency = new.currency then
      new.to_amount_minor := coalesce(new.to_amount_minor, new.amount_minor);
    elsif new.to_amount_minor is null and to_account.id is not null then
      raise sqlstate 'PT400' using message = 'TRANSFER_ACCOUNTS_INVALID',
        detail = format('The receiving account is in %s: give to_amount_minor, what arrived.', to_account.currency);
    end if;
  end if;
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused row uses up no reference.
create trigger prepare_transaction before insert or update on public.transactions
  for each row execute function private.prepare_transaction();

-- Amounts in the base currency and account balances would mean something else after these change.
create function private.lock_currencies_in_use()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Separate branches: each table's record has only its own fields.
  if tg_table_name = 'organizations' then
    if new.base_currency <> old.base_currency and exists (select from public.transactions t where t.org_id = new.id) then
      raise sqlstate 'PT409' using message = 'CURRENCY_IN_USE',
        detail = 'The base currency cannot change once the organization has transactions.';
    end if;
  elsif new.currency <> old.currency
        and exists (select from public.transactions t where t.org_id = new.org_id
                    and (t.account_id = new.id or t.to_account_id = new.id)) then
    raise sqlstate 'PT409' using message = 'CURRENCY_IN_USE',
      detail = 'An account''s currency cannot change once it has transactions.';
  end if;
  return new;
end;
$$;

create trigger lock_currencies_in_use before update of base_currency on public.organizations
  for each row execute function private.lock_currencies_in_use();
create trigger lock_currencies_in_use before update of currency on public.accounts
  for each row execute function private.lock_currencies_in_use();

-- Splits -------------------------------------------------------------------------------------

create table public.transaction_splits (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  position smallint not null check (position between 1 and 100),
  category_id uuid not null,
  amount_minor bigint not null check (amount_minor > 0),
  note text check (char_length(note) <= 500),
  unique (transaction_id, position),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade,
  foreign key (org_id, category_id) references public.categories (org_id, id)
);
comment on table public.transaction_splits is
  'The parts of a split transaction, each with its category; they always sum to the transaction''s amount. Written only through set_transaction_splits().';

alter table public.transaction_splits enable row level security;
create policy "members read splits" on public.transaction_splits for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));
grant select on public.transaction_splits to authenticated;
create index transaction_splits_org_id_category_idx on public.transaction_splits (org_id, category_id);
select private.track_changes('public.transaction_splits');

-- Tags ---------------------------------------------------------------------------------------

create table public.transaction_tags (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  tag_id uuid not null,
  unique (transaction_id, tag_id),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade,
  foreign key (org_id, tag_id) references public.tags (org_id, id) on delete cascade
);
comment on table public.transaction_tags is 'Which tags a transaction carries.';

alter table public.transaction_tags enable row level security;
create policy "members read transaction tags" on public.transaction_tags for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));
create policy "members tag transactions" on public.transaction_tags for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
create policy "members untag transactions" on public.transaction_tags for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
grant select, delete on public.transaction_tags to authenticated;
grant insert (org_id, transaction_id, tag_id) on public.transaction_tags to authenticated;
create index transaction_tags_org_id_tag_idx on public.transaction_tags (org_id, tag_id, transaction_id);
select private.track_changes('public.transaction_tags');
