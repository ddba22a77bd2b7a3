create table public.warranties (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  product text not null check (private.name_is_valid(product, 200)),
  vendor_id uuid,
  -- The seller as written on the receipt; names a vendor, created on first use.
  seller text check (char_length(seller) <= 200),
  purchased_on date not null,
  price_minor bigint check (price_minor >= 0),
  currency text references public.currencies (code),
  -- Give one: the period (ends_on is derived from it) or the end date.
  warranty_months smallint,
  ends_on date,
  serial_number text check (char_length(serial_number) <= 100),
  notes text check (char_length(notes) <= 5000),
  constraint warranties_price_currency_check check ((price_minor is null) = (currency is null)),
  foreign key (org_id, vendor_id) references public.vendors (org_id, id) on delete set null (vendor_id)
);

comment on table public.warranties is
  'Products under warranty: purchase date and price, seller (a vendor), period or end date, serial number; receipts are attachments.';

comment on column public.warranties.ends_on is 'The last day of the warranty; derived from warranty_months when that is given.';

select private.enroll_record_table('public.warranties');

create index warranties_org_id_ends_on_idx on public.warranties (org_id, ends_on, id) where deleted_at is null;

create index warranties_org_id_vendor_idx on public.warranties (org_id, vendor_id) where vendor_id is not null;

-- Runs before stamp_record (alphabetical), so a refused warranty uses up no reference.
create trigger prepare_warranty before insert or update on public.warranties
  for each row execute function private.prepare_warranty();

alter table public.warranties
  add constraint warranties_price_minor_range check (private.amount_in_range(price_minor)),
  add constraint warranties_purchased_on_range check (private.calendar_day_in_range(purchased_on)),
  add constraint warranties_ends_on_range check (private.calendar_day_in_range(ends_on));
