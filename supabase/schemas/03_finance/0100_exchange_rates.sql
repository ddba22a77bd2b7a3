create table public.exchange_rates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  currency text not null references public.currencies (code),
  rate_date date not null,
  -- Units of the base currency one unit of `currency` buys (major units, not minor).
  rate numeric(20, 10) not null check (rate > 0),
  source text check (char_length(source) <= 40)
);

comment on table public.exchange_rates is
  'Rates to the organization''s base currency by date; a transaction converts at the rate of its date or the last one before it within 7 days (weekends, holidays), never further back.';

select private.enroll_record_table('public.exchange_rates');

create unique index exchange_rates_org_id_currency_date_key on public.exchange_rates (org_id, currency, rate_date desc)
  where deleted_at is null;

alter table public.exchange_rates
  add constraint exchange_rates_rate_date_range check (private.calendar_day_in_range(rate_date));
