create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.account_kind not null,
  name text not null check (private.name_is_valid(name, 80)),
  currency text not null references public.currencies (code),
  -- Negative for a loan: what is owed when tracking starts.
  opening_balance_minor bigint not null default 0,
  opening_on date not null default current_date,
  institution text check (char_length(institution) <= 80),
  -- The last digits people recognize an account or card by, never the full number.
  number_hint text check (number_hint ~ '^[0-9A-Za-z •*-]{1,16}$'),
  closed boolean not null default false
);

comment on table public.accounts is
  'Bank accounts, savings, cards, cash and loans; the current balance is the opening balance plus its transactions (account_balances()).';

select private.enroll_record_table('public.accounts');

create unique index accounts_org_id_name_key on public.accounts (org_id, lower(name)) where deleted_at is null;

create trigger lock_currencies_in_use before update of currency on public.accounts
  for each row execute function private.lock_currencies_in_use();

alter table public.accounts
  add constraint accounts_opening_balance_minor_range check (private.amount_in_range(opening_balance_minor)),
  add constraint accounts_opening_on_range check (private.calendar_day_in_range(opening_on));
