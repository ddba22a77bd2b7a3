-- Contracts and subscriptions: what a household or company pays again and again (mortgage,
-- electricity, broadband, streaming, gym), on what schedule, bound until when, with what
-- notice; transactions link to the contract they pay. The date arithmetic lives in pure
-- functions here; the overview, statistics and notice RPC follow in the next migration.
-- Touches: types contract_frequency, contract_status, notice_period_unit; tables contracts,
-- transactions (foreign key to contracts).

create type public.contract_frequency as enum ('weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'every_n_months');
comment on type public.contract_frequency is 'How often a contract is paid; every_n_months takes its months from interval_months.';

-- active: runs (and renews); notice_given: ends on ends_on; ended: ran its course (after notice
-- or at the end of a fixed term); cancelled: terminated early or never took effect.
create type public.contract_status as enum ('active', 'notice_given', 'ended', 'cancelled');

create type public.notice_period_unit as enum ('days', 'weeks', 'months');

create table public.contracts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 120),
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

-- Payments: the transactions that pay a contract. Purging a contract keeps its payments.
alter table public.transactions
  add foreign key (org_id, contract_id) references public.contracts (org_id, id) on delete set null (contract_id);

-- Date arithmetic (pure) ---------------------------------------------------------------------

-- Months in one payment period; null for weekly (and for every_n_months without its months).
create function private.frequency_months(frequency public.contract_frequency, interval_months integer)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case frequency
    when 'monthly' then 1 when 'quarterly' then 3 when 'half_yearly' then 6 when 'yearly' then 12
    when 'every_n_months' then interval_months
  end;
$$;

-- `d` plus `months` (which may be negative). The last day of a month stays the last day
-- (2027-02-28 + 12 = 2028-02-29, 2027-02-28 - 1 = 2027-01-31): terms and notice periods end on
-- month ends when they start from one. Other days keep their number, or the month's last day
-- when the month is shorter.
create function private.add_months_keeping_month_end(d date, months integer)
returns date
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when d = (date_trunc('month', d::timestamp) + interval '1 month - 1 day')::date
      then (date_trunc('month', d::timestamp) + make_interval(months => months + 1) - interval '1 day')::date
    else (d::timestamp + make_interval(months => months))::date
  end;
$$;

-- The first payment on or after `on_date` of a schedule paying on `anchor` and every period
-- after it. Month-based periods count from the anchor each time, so a contract paid on the 31st
-- pays on the 30th in April, the 28th or 29th in February, and the 31st again in May.
create function private.next_payment_on(
  anchor date,
  frequency public.contract_frequency,
  interval_months integer,
  on_date date
)
returns date
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  months integer := private.frequency_months(frequency, interval_months);
  periods integer;
  candidate date;
begin
  if anchor is null or on_date is null or (frequency <> 'weekly' and months is null) then
    return null;
  end if;
  if on_date <= anchor then
    return anchor;
  end if;
  if frequency = 'weekly' then
    return anchor + ((on_date - anchor + 6) / 7) * 7;
  end if;
  -- Whole periods between the anchor's month and on_date's month: that payment falls in or
  -- before on_date's month, the next one after it.
  periods := ((extract(year from on_date) - extract(year from anchor)) * 12
              + extract(month from on_date) - extract(month from anchor))::integer / months;
  candidate := (anchor::timestamp + make_interval(months => periods * months))::date;
  if candidate < on_date then
    candidate := (anchor::timestamp + make_interval(months => (periods + 1) * months))::date;
  end if;
  return candidate;
end;
$$;

-- The day `period` (in `unit`) after `d`, or before it for a negative period.
create function private.shift_by_period(d date, period integer, unit public.notice_period_unit)
returns date
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case unit
    when 'days' then d + period
    when 'weeks' then d + 7 * period
    else private.add_months_keeping_month_end(d, period)
  end;
$$;

-- The earliest day a contract can end when notice is given on `notice_on`: the end of the
-- binding period if its notice deadline has not passed; for a contract that renews by terms, the
-- end of the first renewal term whose deadline has not passed; for one that runs on without
-- terms, the notice day plus the notice period (never before the binding period ends). A contract
-- that does not renew ends with its binding period whatever happens.
create function private.earliest_end_on(
  binding_ends_on date,
  auto_renews boolean,
  renewal_months integer,
  notice_period integer,
  unit public.notice_period_unit,
  notice_on date
)
returns date
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  rolling_end date := private.shift_by_period(notice_on, notice_period, unit);
  terms integer;
  term_end date;
begin
  if notice_on is null then
    return null;
  end if;
  if binding_ends_on is null then
    return rolling_end;
  end if;
  if not auto_renews or private.shift_by_period(binding_ends_on, -notice_period, unit) >= notice_on then
    return binding_ends_on;
  end if;
  if renewal_months is null then
    return greatest(rolling_end, binding_ends_on);
  end if;
  -- Skip the terms that ended before notice_on's month, then step to the first deadline ahead.
  terms := greatest(1, ((extract(year from notice_on) - extract(year from binding_ends_on)) * 12
                        + extract(month from notice_on) - extract(month from binding_ends_on))::integer / renewal_months);
  loop
    term_end := private.add_months_keeping_month_end(binding_ends_on, terms * renewal_months);
    exit when private.shift_by_period(term_end, -notice_period, unit) >= notice_on;
    terms := terms + 1;
  end loop;
  return term_end;
end;
$$;

grant execute on function
  private.frequency_months(public.contract_frequency, integer),
  private.add_months_keeping_month_end(date, integer),
  private.next_payment_on(date, public.contract_frequency, integer, date),
  private.shift_by_period(date, integer, public.notice_period_unit),
  private.earliest_end_on(date, boolean, integer, integer, public.notice_period_unit, date)
to authenticated, service_role;

-- Validation and derived columns -------------------------------------------------------------

create function private.prepare_contract()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  today date;
  category_kind public.category_kind;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  today := private.org_today(new.org_id);
  new.currency := upper(new.currency);

  -- The schedule.
  if (new.frequency = 'every_n_months') <> (new.interval_months is not null) then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID',
      detail = 'interval_months (1 to 120) is given for frequency every_n_months, and only for it.';
  end if;
  new.first_payment_on := coalesce(new.first_payment_on, new.starts_on);
  if new.binding_ends_on < new.starts_on then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID',
      detail = 'binding_ends_on cannot be before starts_on.';
  end if;

  if new.category_id is not null then
    select c.kind into category_kind from public.categories c where c.org_id = new.org_id and c.id = new.category_id;
    if category_kind <> 'expense' then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A contract needs an expense category.';
    end if;
  end if;

  -- The status and its dates.
  if new.status = 'active' then
    -- Back to active (notice withdrawn): the notice and end dates go, unless the same update sets them.
    if tg_op = 'UPDATE' and old.status <> 'active'
       and new.notice_given_on is not distinct from old.notice_given_on and new.ends_on is not distinct from old.ends_on then
      new.notice_given_on := null;
      new.ends_on := null;
    elsif new.notice_given_on is not null or new.ends_on is not null then
      raise sqlstate 'PT400' using message = 'CONTRACT_STATUS_INVALID',
        detail = 'An active contract has no notice_given_on or ends_on: give notice (give_notice), or set a fixed term with binding_ends_on and auto_renews false.';
    end if;
  elsif new.status = 'notice_given' then
    new.notice_given_on := coalesce(new.notice_given_on, today);
    new.ends_on := coalesce(new.ends_on, private.earliest_end_on(
      new.binding_ends_on, new.auto_renews, new.renewal_months, new.notice_period, new.notice_period_unit, new.notice_given_on));
  else
    new.ends_on := coalesce(new.ends_on, today);
  end if;
  -- A cancelled contract may never have started (cancelled before its start, within the cooling-off period).
  if new.status <> 'cancelled' and new.ends_on < new.starts_on then
    raise sqlstate 'PT400' using message = 'CONTRACT_SCHEDULE_INVALID', detail = 'ends_on cannot be before starts_on.';
  end if;
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused row uses up no reference.
create trigger prepare_contract before insert or update on public.contracts
  for each row execute function private.prepare_contract();
