create or replace function private.prepare_transaction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  inserting boolean := tg_op = 'INSERT';
  uid uuid := auth.uid();
  -- A member writing through the Data API; definer functions doing internal work are trusted.
  check_writer boolean := current_setting('role', true) = 'authenticated' and private.internal_operation() is null;
  -- The vendor is found (or created) from the counterparty when that is written and no other
  -- vendor is named along with it.
  vendor_by_name boolean;
  is_writer boolean;
  refusal text;
  base_currency text;
  vendor uuid;
  vendor_category uuid;
  category_kind text;
  account_currency text;
  account_name text;
  to_account_currency text;
begin
  -- An import's commit prepares its rows itself, set-based (private.commit_import_rows).
  if inserting and private.internal_operation() = 'import' then
    return new;
  end if;
  if not inserting and new.org_id is distinct from old.org_id then
    return new; -- stamp_record refuses the move with READ_ONLY_COLUMN
  end if;
  new.currency := upper(new.currency);
  vendor_by_name := new.kind <> 'transfer' and nullif(btrim(new.counterparty), '') is not null
    and case when inserting then new.vendor_id is null
             else new.counterparty is distinct from old.counterparty and new.vendor_id is not distinct from old.vendor_id end;

  select case when check_writer then exists (
           select from public.memberships m where m.org_id = o.id and m.user_id = uid and m.role >= 'member') end,
         case when inserting and nullif(current_setting('request.jwt.claims', true), '') is not null
              then private.write_refusal(o.id) end,
         o.base_currency, v.id, dc.id, c.kind::text, a.currency, a.name, ta.currency
  into is_writer, refusal, base_currency, vendor, vendor_category, category_kind,
       account_currency, account_name, to_account_currency
  from public.organizations o
  left join public.vendors v on v.org_id = o.id and vendor_by_name
    and v.normalized_name = private.normalize_vendor_name(new.counterparty) and v.deleted_at is null
  left join public.categories dc on inserting and new.category_id is null and new.kind <> 'transfer'
    and dc.org_id = o.id and dc.id = (select x.default_category_id from public.vendors x
                                      where x.org_id = o.id and x.id = coalesce(v.id, new.vendor_id))
    and dc.deleted_at is null and dc.kind::text = new.kind::text
  left join public.categories c on c.org_id = o.id and c.id = new.category_id
  left join public.accounts a on a.org_id = o.id and a.id = new.account_id
  left join public.accounts ta on ta.org_id = o.id and ta.id = new.to_account_id
  where o.id = new.org_id;

  -- A writer learns nothing of organizations it does not belong to, not even that they exist.
  if check_writer and not coalesce(is_writer, false) then
    raise sqlstate '42501' using message = format('new row violates row-level security policy for table "%s"', tg_table_name);
  end if;
  if not found then
    raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', new.org_id);
  end if;
  if refusal is not null then
    perform private.raise_write_refusal(refusal);
  end if;

  -- Splits change only through set_transaction_splits(), which keeps the parts and the whole equal.
  if inserting then
    new.is_split := false;
  elsif private.internal_operation() is distinct from 'splits' then
    new.is_split := old.is_split;
    if old.is_split and (new.amount_minor <> old.amount_minor or new.kind = 'transfer') then
      raise sqlstate 'PT409' using message = 'SPLIT_SUM_MISMATCH',
        detail = 'This transaction is split: change its amount together with its parts (set_transaction_splits).';
    end if;
    if old.is_split and new.kind <> old.kind then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = 'This transaction is split: its parts'' categories are of its kind. End the split (set_transaction_splits with []) to change it.';
    end if;
  end if;

  -- The vendor: named by id, or found (and created on first use) from the counterparty.
  if vendor_by_name then
    if vendor is null then
      -- Not a live vendor of that name: follow a merge, or create it.
      vendor := private.vendor_for_name(new.org_id, new.counterparty);
      if inserting then
        select c.id into vendor_category
        from public.vendors v
        join public.categories c on c.org_id = v.org_id and c.id = v.default_category_id and c.deleted_at is null
        where v.org_id = new.org_id and v.id = vendor and c.kind::text = new.kind::text;
      end if;
    end if;
    new.vendor_id := vendor;
  end if;
  -- A new purchase at a vendor with a default category lands there unless told otherwise.
  if inserting and new.category_id is null and new.kind <> 'transfer' then
    new.category_id := vendor_category;
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
    -- category_kind is null when the category came from the vendor (of the right kind) or does
    -- not exist (the foreign key refuses it).
    if category_kind <> new.kind::text then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = format('An %s needs an %s category.', new.kind, new.kind);
    end if;
  end if;

  if new.currency = base_currency then
    new.fx_rate := 1;
    new.base_amount_minor := new.amount_minor;
  else
    select b.fx_rate, b.base_minor into new.fx_rate, new.base_amount_minor
    from private.to_base(new.org_id, new.amount_minor, new.currency, new.booked_on, new.fx_rate,
                         case when not inserting then old.currency end, case when not inserting then old.booked_on end,
                         case when not inserting then old.fx_rate end) b;
  end if;

  -- What the accounts move, each in its own currency. A card in the base currency pays a
  -- foreign purchase with the base amount; any other currency pair is a mistake.
  new.account_amount_minor := null;
  if account_currency = new.currency then
    new.account_amount_minor := new.amount_minor;
  elsif account_currency = base_currency and new.kind <> 'transfer' then
    new.account_amount_minor := new.base_amount_minor;
  elsif account_currency is not null then
    raise sqlstate 'PT400' using message = 'ACCOUNT_CURRENCY_MISMATCH',
      detail = format('Account %s is in %s; this transaction is in %s.', account_name, account_currency, new.currency);
  end if;
  if new.kind = 'transfer' then
    if to_account_currency = new.currency then
      -- What arrives follows what is sent, unless it was given apart from it.
      if not inserting and new.to_amount_minor is not distinct from old.to_amount_minor
         and old.to_amount_minor is not distinct from old.amount_minor then
        new.to_amount_minor := new.amount_minor;
      end if;
      new.to_amount_minor := coalesce(new.to_amount_minor, new.amount_minor);
    elsif new.to_amount_minor is null and to_account_currency is not null then
      raise sqlstate 'PT400' using message = 'TRANSFER_ACCOUNTS_INVALID',
        detail = format('The receiving account is in %s: give to_amount_minor, what arrived.', to_account_currency);
    end if;
  end if;

  if inserting then
    new.reference := private.next_reference(new.org_id);
    new.created_at := now();
    new.created_by := uid;
    new.updated_at := now();
    new.updated_by := uid;
    new.deleted_at := null;
    new.deleted_by := null;
  end if;
  return new;
end;
$$;
