create table public.contracts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (private.name_is_valid(name, 120)),
  vendor_id uuid,
  -- An expense category (checked by prepare_contract).
  category_id uuid,
  -- The account it is paid from, if the household wants to see that.
  account_id uuid,
  contract_number text check (char_length(contract_number) <= 60),
  -- What one payment costs, in minor units of `currency`.
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null references public.currencies (code),
  frequency public.contract_frequency not null default 'monthly',
  -- Months between payments for every_n_months, and only for it.
  interval_months smallint check (interval_months between 1 and 120),
  payment_method public.payment_method,
  starts_on date not null,
  -- The anchor of the payment schedule (default: starts_on). Month-based schedules count from it
  -- each time: paid on the 31st means the last day of shorter months.
  first_payment_on date,
  -- The end of the binding period (the first term); null when it can be ended any time.
  binding_ends_on date,
  -- How long before a term ends notice must be given (0: up to the last day).
  notice_period smallint not null default 0 check (notice_period between 0 and 999),
  notice_period_unit public.notice_period_unit not null default 'months',
  -- Whether it runs on after the binding period. With renewal_months it renews for that many
  -- months at a time; without, it runs on until notice plus the notice period.
  auto_renews boolean not null default true,
  renewal_months smallint check (renewal_months between 1 and 120),
  status public.contract_status not null default 'active',
  notice_given_on date,
  -- When it ends (or ended) after notice, or when it was ended or cancelled; null while active.
  ends_on date,
  notes text check (char_length(notes) <= 5000),
  foreign key (org_id, vendor_id) references public.vendors (org_id, id) on delete set null (vendor_id),
  foreign key (org_id, category_id) references public.categories (org_id, id),
  foreign key (org_id, account_id) references public.accounts (org_id, id) on delete set null (account_id)
);

comment on table public.contracts is
  'Contracts and subscriptions: amount per payment and frequency, binding period, notice period, renewal and status. contract_overview adds the next payment, the notice deadline and the normalized cost.';

select private.enroll_record_table('public.contracts');

create index contracts_org_id_name_idx on public.contracts (org_id, lower(name), id) where deleted_at is null;

create index contracts_org_id_vendor_idx on public.contracts (org_id, vendor_id) where vendor_id is not null;

create index contracts_org_id_category_idx on public.contracts (org_id, category_id) where category_id is not null;

create index contracts_org_id_account_idx on public.contracts (org_id, account_id) where account_id is not null;

-- Runs before stamp_record (alphabetical), so a refused row uses up no reference.
create trigger prepare_contract before insert or update on public.contracts
  for each row execute function private.prepare_contract();

alter table public.contracts
  add constraint contracts_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint contracts_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint contracts_first_payment_on_range check (private.calendar_day_in_range(first_payment_on)),
  add constraint contracts_binding_ends_on_range check (private.calendar_day_in_range(binding_ends_on)),
  add constraint contracts_notice_given_on_range check (private.calendar_day_in_range(notice_given_on)),
  add constraint contracts_ends_on_range check (private.calendar_day_in_range(ends_on));
