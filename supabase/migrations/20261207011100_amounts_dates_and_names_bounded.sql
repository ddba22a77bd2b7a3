-- Amounts, calendar days and names are bounded to what they can be, on every table that takes
-- them, with a stable code whichever way the value arrives (Data API, RPC, trigger, operator).
-- Touches: private.amount_in_range, private.calendar_day_in_range, private.visible_text,
-- private.name_is_valid (new); check constraints of accounts, attachments, categories,
-- contracts, credit_ledger, exchange_rates, insurances, invoices, maintenance_logs,
-- maintenance_tasks, organizations, plans, profiles, properties, tags, transaction_splits,
-- transactions, vehicle_events, vehicles, vendors, warranties; private.handle_new_user.
--
-- An amount took any positive bigint: two expenses of 9·10^18 in a month overflowed the folded
-- totals. 10^15 minor units (ten trillion kronor) is more than any household or small company
-- books in one line. Dates took infinity, BC and year 10000; names took only blanks or
-- zero-width characters, which btrim (spaces only) let through. A constraint that calls a
-- function raising the code keeps one definition per rule and answers PT400 with that code.

create function private.amount_in_range(amount bigint)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if amount < -1000000000000000 or amount > 1000000000000000 then
    raise sqlstate 'PT400' using message = 'AMOUNT_OUT_OF_RANGE',
      detail = format('%s minor units is beyond what money can be: at most 10^15 either way.', amount);
  end if;
  return true;
end;
$$;
comment on function private.amount_in_range(bigint) is
  'True for a money amount within ±10^15 minor units (or null); raises AMOUNT_OUT_OF_RANGE otherwise. Used by check constraints.';

create function private.calendar_day_in_range(day date)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if day < date '1900-01-01' or day > date '2200-12-31' then
    raise sqlstate 'PT400' using message = 'DATE_OUT_OF_RANGE',
      detail = format('%s is not a calendar day between 1900-01-01 and 2200-12-31.', day);
  end if;
  return true;
end;
$$;
comment on function private.calendar_day_in_range(date) is
  'True for a calendar day from 1900-01-01 to 2200-12-31 (or null); raises DATE_OUT_OF_RANGE otherwise (infinity, BC, year 10000).';

-- Blanks and characters that show nothing: Unicode spaces, controls, zero-width and joiners,
-- direction marks, the soft hyphen, variation selectors, Hangul fillers, the byte order mark.
create function private.visible_text(text text)
returns text
language sql
immutable
set search_path = ''
as $$
  select btrim(text) where text ~ '[^[:space:][:cntrl:]\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]';
$$;
comment on function private.visible_text(text) is
  'The text without surrounding spaces if it shows at least one character; null if it is only blanks or invisible characters.';

create function private.name_is_valid(name text, max_length integer)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if name is not null and (private.visible_text(name) is null or char_length(name) > max_length) then
    raise sqlstate 'PT400' using message = 'NAME_INVALID',
      detail = format('A name shows at least one character and has at most %s.', max_length);
  end if;
  return true;
end;
$$;
comment on function private.name_is_valid(text, integer) is
  'True for a name (or null) with a visible character and at most max_length characters; raises NAME_INVALID otherwise.';

-- Check constraints run as the writing role.
grant execute on function private.amount_in_range(bigint), private.calendar_day_in_range(date),
  private.visible_text(text), private.name_is_valid(text, integer)
to authenticated, service_role;

alter table public.accounts
  drop constraint accounts_name_check,
  add constraint accounts_name_check check (private.name_is_valid(name, 80)),
  add constraint accounts_opening_balance_minor_range check (private.amount_in_range(opening_balance_minor)),
  add constraint accounts_opening_on_range check (private.calendar_day_in_range(opening_on));
alter table public.attachments
  drop constraint attachments_file_name_check,
  add constraint attachments_file_name_check check (private.name_is_valid(file_name, 255));
alter table public.categories
  drop constraint categories_name_check,
  add constraint categories_name_check check (private.name_is_valid(name, 80)),
  add constraint categories_monthly_budget_minor_range check (private.amount_in_range(monthly_budget_minor));
alter table public.contracts
  drop constraint contracts_name_check,
  add constraint contracts_name_check check (private.name_is_valid(name, 120)),
  add constraint contracts_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint contracts_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint contracts_first_payment_on_range check (private.calendar_day_in_range(first_payment_on)),
  add constraint contracts_binding_ends_on_range check (private.calendar_day_in_range(binding_ends_on)),
  add constraint contracts_notice_given_on_range check (private.calendar_day_in_range(notice_given_on)),
  add constraint contracts_ends_on_range check (private.calendar_day_in_range(ends_on));
alter table public.credit_ledger
  add constraint credit_ledger_amount_range check (private.amount_in_range(amount));
alter table public.exchange_rates
  add constraint exchange_rates_rate_date_range check (private.calendar_day_in_range(rate_date));
alter table public.insurances
  drop constraint insurances_name_check,
  add constraint insurances_name_check check (private.name_is_valid(name, 120)),
  add constraint insurances_premium_minor_range check (private.amount_in_range(premium_minor)),
  add constraint insurances_annual_premium_minor_range check (private.amount_in_range(annual_premium_minor)),
  add constraint insurances_deductible_minor_range check (private.amount_in_range(deductible_minor)),
  add constraint insurances_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint insurances_renews_on_range check (private.calendar_day_in_range(renews_on)),
  add constraint insurances_ended_on_range check (private.calendar_day_in_range(ended_on));
alter table public.invoices
  add constraint invoices_amount_due_range check (private.amount_in_range(amount_due)),
  add constraint invoices_amount_paid_range check (private.amount_in_range(amount_paid)),
  add constraint invoices_total_range check (private.amount_in_range(total));
alter table public.maintenance_logs
  add constraint maintenance_logs_cost_minor_range check (private.amount_in_range(cost_minor)),
  add constraint maintenance_logs_base_cost_minor_range check (private.amount_in_range(base_cost_minor)),
  add constraint maintenance_logs_done_on_range check (private.calendar_day_in_range(done_on));
alter table public.maintenance_tasks
  drop constraint maintenance_tasks_title_check,
  add constraint maintenance_tasks_title_check check (private.name_is_valid(title, 200)),
  add constraint maintenance_tasks_estimated_cost_minor_range check (private.amount_in_range(estimated_cost_minor)),
  add constraint maintenance_tasks_starts_on_range check (private.calendar_day_in_range(starts_on)),
  add constraint maintenance_tasks_last_done_on_range check (private.calendar_day_in_range(last_done_on)),
  add constraint maintenance_tasks_next_due_on_range check (private.calendar_day_in_range(next_due_on));
alter table public.organizations
  drop constraint organizations_name_check,
  add constraint organizations_name_check check (private.name_is_valid(name, 200));
alter table public.plans
  drop constraint plans_name_check,
  add constraint plans_name_check check (private.name_is_valid(name, 100));
alter table public.profiles
  drop constraint profiles_display_name_check,
  add constraint profiles_display_name_check check (private.name_is_valid(display_name, 100));
alter table public.properties
  drop constraint properties_name_check,
  add constraint properties_name_check check (private.name_is_valid(name, 120)),
  add constraint properties_purchase_price_minor_range check (private.amount_in_range(purchase_price_minor)),
  add constraint properties_purchased_on_range check (private.calendar_day_in_range(purchased_on));
alter table public.tags
  drop constraint tags_name_check,
  add constraint tags_name_check check (private.name_is_valid(name, 60));
alter table public.transaction_splits
  add constraint transaction_splits_amount_minor_range check (private.amount_in_range(amount_minor));
alter table public.transactions
  add constraint transactions_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint transactions_base_amount_minor_range check (private.amount_in_range(base_amount_minor)),
  add constraint transactions_account_amount_minor_range check (private.amount_in_range(account_amount_minor)),
  add constraint transactions_to_amount_minor_range check (private.amount_in_range(to_amount_minor)),
  add constraint transactions_booked_on_range check (private.calendar_day_in_range(booked_on));
alter table public.vehicle_events
  add constraint vehicle_events_amount_minor_range check (private.amount_in_range(amount_minor)),
  add constraint vehicle_events_base_amount_minor_range check (private.amount_in_range(base_amount_minor)),
  add constraint vehicle_events_occurred_on_range check (private.calendar_day_in_range(occurred_on));
alter table public.vehicles
  drop constraint vehicles_name_check,
  add constraint vehicles_name_check check (private.name_is_valid(name, 80)),
  drop constraint vehicles_make_check,
  add constraint vehicles_make_check check (private.name_is_valid(make, 60)),
  drop constraint vehicles_registration_check,
  add constraint vehicles_registration_check check (private.name_is_valid(registration, 20)),
  add constraint vehicles_purchase_price_minor_range check (private.amount_in_range(purchase_price_minor)),
  add constraint vehicles_purchased_on_range check (private.calendar_day_in_range(purchased_on)),
  add constraint vehicles_sold_on_range check (private.calendar_day_in_range(sold_on));
alter table public.vendors
  drop constraint vendors_name_check,
  add constraint vendors_name_check check (private.name_is_valid(name, 120));
alter table public.warranties
  drop constraint warranties_product_check,
  add constraint warranties_product_check check (private.name_is_valid(product, 200)),
  add constraint warranties_price_minor_range check (private.amount_in_range(price_minor)),
  add constraint warranties_purchased_on_range check (private.calendar_day_in_range(purchased_on)),
  add constraint warranties_ends_on_range check (private.calendar_day_in_range(ends_on));

-- Sign-up metadata that shows nothing falls back to the defaults, as anything unusable does.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}');
  user_locale public.locale := 'en';
  name text := private.visible_text(left(meta ->> 'display_name', 100));
begin
  if meta ->> 'locale' in ('sv', 'nb', 'da', 'fi', 'de', 'en') then
    user_locale := (meta ->> 'locale')::public.locale;
  end if;
  insert into public.profiles (user_id, display_name, locale)
  values (new.id, coalesce(name, private.visible_text(left(split_part(new.email, '@', 1), 100)), 'User'), user_locale);
  perform private.new_organization(
    new.id, private.visible_text(left(meta ->> 'household_name', 200)), 'household', null, user_locale, null, null
  );
  return new;
end;
$$;
