-- Warranties: what was bought, where, when and for how much, how long the warranty runs, the
-- serial number; the receipt is an attachment. expiring_warranties() lists those running out.
-- Touches: warranties.

create table public.warranties (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  product text not null check (char_length(btrim(product)) between 1 and 200),
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

create function private.prepare_warranty()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  derived date;
begin
  if tg_op = 'UPDATE' and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  perform private.assert_org_writer(new.org_id, tg_table_name);
  if new.warranty_months is not null then
    if new.warranty_months not between 1 and 600 then
      raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID', detail = 'warranty_months: between 1 and 600.';
    end if;
    derived := (new.purchased_on + make_interval(months => new.warranty_months))::date;
    if new.ends_on <> derived and (tg_op = 'INSERT' or new.ends_on is distinct from old.ends_on) then
      raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID',
        detail = format('%s months from %s end on %s, not %s: give warranty_months or ends_on (set the other to null).',
                        new.warranty_months, new.purchased_on, derived, new.ends_on);
    end if;
    new.ends_on := derived;
  elsif new.ends_on is null then
    raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID', detail = 'Give warranty_months or ends_on.';
  elsif new.ends_on < new.purchased_on then
    raise sqlstate 'PT400' using message = 'WARRANTY_PERIOD_INVALID',
      detail = format('The warranty cannot end (%s) before the purchase (%s).', new.ends_on, new.purchased_on);
  end if;

  new.vendor_id := private.named_vendor(new.org_id, new.vendor_id, new.seller,
                                        case when tg_op = 'UPDATE' then old.vendor_id end,
                                        case when tg_op = 'UPDATE' then old.seller end);
  return new;
end;
$$;

-- Runs before stamp_record (alphabetical), so a refused warranty uses up no reference.
create trigger prepare_warranty before insert or update on public.warranties
  for each row execute function private.prepare_warranty();

-- Reads as the caller: row-level security decides what it sees.
create function public.expiring_warranties(
  org_id uuid,
  within_days integer default 30,
  max_rows integer default 50,
  after_ends_on date default null,
  after_id uuid default null
)
returns setof public.warranties
language plpgsql
stable
set search_path = ''
as $$
declare
  today date;
begin
  today := private.upcoming_window(org_id, within_days, max_rows);
  return query
    select w.* from public.warranties w
    where w.org_id = expiring_warranties.org_id and w.deleted_at is null
      and w.ends_on between today and today + within_days
      and (after_ends_on is null or (w.ends_on, w.id) > (after_ends_on, after_id))
    order by w.ends_on, w.id
    limit max_rows;
end;
$$;
comment on function public.expiring_warranties is
  'Warranties ending from today (the organization''s) to within_days ahead, soonest first; pass the last row''s ends_on and id for the next page.';
grant execute on function public.expiring_warranties(uuid, integer, integer, date, uuid) to authenticated;
