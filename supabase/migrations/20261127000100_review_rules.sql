-- Found by reviewing the finance, attachment and billing code (issue 6's closing review): rules
-- the database did not yet keep.
-- Touches: private.check_category, private.vendor_for_name, private.prepare_transaction,
-- private.set_transaction_splits, storage.objects (attachment policies), admin.retry_stripe_event,
-- private.apply_stripe_checkout, private.apply_stripe_subscription;
-- drops private.is_platform_admin (never called).

-- A top-level category changed kind under its children and transactions ----------------------

create or replace function private.check_category()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  parent public.categories;
begin
  perform private.assert_org_writer(new.org_id, tg_table_name);
  -- Its children, transactions, split parts and budgets are of its kind: a kind changes only
  -- while nothing uses the category.
  if tg_op = 'UPDATE' and new.kind <> old.kind and private.category_in_use(new.org_id, new.id) then
    raise sqlstate 'PT409' using message = 'CATEGORY_IN_USE',
      detail = 'This category is in use: its kind stays. Create a category of the other kind instead.';
  end if;
  if new.parent_id is null then
    return new;
  end if;
  select * into parent from public.categories c where c.org_id = new.org_id and c.id = new.parent_id;
  if parent.id = new.id or parent.parent_id is not null or parent.kind <> new.kind then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A parent must be a top-level category of the same kind (expense or income).';
  end if;
  if tg_op = 'UPDATE' and exists (select from public.categories c
                                  where c.org_id = new.org_id and c.parent_id = new.id and c.deleted_at is null) then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A category with children cannot become a child itself.';
  end if;
  return new;
end;
$$;

-- A name merged away created its vendor again on its next purchase -----------------------------

create or replace function private.vendor_for_name(org_id uuid, name text)
returns uuid
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  -- Normalized once, so the lookup below is one probe of the unique index.
  normalized text := private.normalize_vendor_name(vendor_for_name.name);
  found uuid;
begin
  select v.id into found from public.vendors v
  where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  if found is null then
    -- A name merged into another vendor keeps leading there (merge_vendors trashes the source
    -- with merged_into_id set); the merge chain ends at a live vendor or nowhere.
    with recursive chain (id, merged_into_id, deleted_at, depth) as (
      select v.id, v.merged_into_id, v.deleted_at, 0 from public.vendors v
      where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.merged_into_id is not null
      union all
      select v.id, v.merged_into_id, v.deleted_at, c.depth + 1 from chain c
      join public.vendors v on v.org_id = vendor_for_name.org_id and v.id = c.merged_into_id
      where c.deleted_at is not null and c.depth < 20
    )
    select c.id into found from chain c where c.deleted_at is null order by c.depth limit 1;
  end if;
  if found is null then
    insert into public.vendors (org_id, name) values (vendor_for_name.org_id, btrim(vendor_for_name.name))
    on conflict (org_id, normalized_name) where deleted_at is null do nothing
    returning id into found;
  end if;
  if found is null then -- another transaction created it just now
    select v.id into found from public.vendors v
    where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  end if;
  return found;
end;
$$;
create index vendors_org_id_merged_name_idx on public.vendors (org_id, normalized_name) where merged_into_id is not null;

-- A split changed kind under its parts' categories; a same-currency transfer kept its old -----
-- arrival amount when only the amount sent changed, so the two accounts disagreed.

create or replace function private.prepare_transaction()
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
    if old.is_split and new.kind <> old.kind then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = 'This transaction is split: its parts'' categories are of its kind. End the split (set_transaction_splits with []) to change it.';
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
      -- What arrives follows what is sent, unless it was given apart from it.
      if tg_op = 'UPDATE' and new.to_amount_minor is not distinct from old.to_amount_minor
         and old.to_amount_minor is not distinct from old.amount_minor then
        new.to_amount_minor := new.amount_minor;
      end if;
      new.to_amount_minor := coalesce(new.to_amount_minor, new.amount_minor);
    elsif new.to_amount_minor is null and to_account.id is not null then
      raise sqlstate 'PT400' using message = 'TRANSFER_ACCOUNTS_INVALID',
        detail = format('The receiving account is in %s: give to_amount_minor, what arrived.', to_account.currency);
    end if;
  end if;
  return new;
end;
$$;

-- set_transaction_splits(parts => null) failed on a not-null column instead of answering -------

create or replace function private.set_transaction_splits(transaction_id uuid, parts jsonb, amount_minor bigint)
returns public.transactions
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.transactions;
  part record;
  n integer := 0;
  total bigint := 0;
begin
  select * into t from public.transactions x
  where x.id = set_transaction_splits.transaction_id and x.deleted_at is null
    and x.org_id = any (private.org_ids_with_role('viewer'))
  for update;
  if t.id is null then
    raise sqlstate 'PT404' using message = 'TRANSACTION_NOT_FOUND',
      detail = format('No live transaction %s in your organizations.', transaction_id);
  end if;
  perform private.require_org_role(t.org_id, 'member');
  if parts is null or jsonb_typeof(parts) <> 'array' or jsonb_array_length(parts) = 1
     or jsonb_array_length(parts) > 100 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'parts: an array of 2 to 100 {category_id, amount_minor, note}, or [] to stop splitting';
  end if;
  if t.kind = 'transfer' and jsonb_array_length(parts) > 0 then
    raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH', detail = 'A transfer has no categories to split.';
  end if;
  for part in
    select p.category_id, p.amount_minor, p.note, c.kind
    from jsonb_to_recordset(parts) as p (category_id uuid, amount_minor bigint, note text)
    left join public.categories c on c.org_id = t.org_id and c.id = p.category_id and c.deleted_at is null
  loop
    if part.amount_minor is null or part.amount_minor <= 0 or part.category_id is null then
      raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
        detail = 'parts: each needs a category_id and a positive amount_minor';
    end if;
    if part.kind is null or part.kind::text <> t.kind::text then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = format('Category %s is not a live %s category of this organization.', part.category_id, t.kind);
    end if;
    total := total + part.amount_minor;
  end loop;
  if jsonb_array_length(parts) > 0 and total <> coalesce(set_transaction_splits.amount_minor, t.amount_minor) then
    raise sqlstate 'PT409' using message = 'SPLIT_SUM_MISMATCH',
      detail = format('The parts sum to %s; the transaction is %s.', total, coalesce(set_transaction_splits.amount_minor, t.amount_minor));
  end if;

  -- Out with the old lines, change parts and whole together, in with the new lines.
  perform private.add_to_totals(t.org_id, private.transaction_lines(t, -1));
  perform set_config('westwallet.internal_operation', 'splits', true);
  delete from public.transaction_splits s where s.transaction_id = t.id;
  insert into public.transaction_splits (org_id, transaction_id, position, category_id, amount_minor, note)
  select t.org_id, t.id, p.position, (p.part ->> 'category_id')::uuid, (p.part ->> 'amount_minor')::bigint,
         nullif(btrim(p.part ->> 'note'), '')
  from jsonb_array_elements(parts) with ordinality as p (part, position);
  update public.transactions x
  set is_split = jsonb_array_length(parts) > 0,
      category_id = null,
      amount_minor = coalesce(set_transaction_splits.amount_minor, x.amount_minor)
  where x.id = t.id
  returning * into t;
  perform set_config('westwallet.internal_operation', '', true);
  perform private.add_to_totals(t.org_id, private.transaction_lines(t, 1));
  return t;
end;
$$;

-- A read-only organization could still upload attachment files --------------------------------
--
-- The attachments rows were refused (records meet require_good_standing), but the files went
-- into Storage regardless, where nothing would ever clean them up.

create function private.attachment_folder_writable(object_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  folder text := (storage.foldername(object_name))[1];
begin
  if folder is null or folder !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return private.write_refusal(folder::uuid) is null;
end;
$$;
grant execute on function private.attachment_folder_writable(text) to authenticated;

drop policy "writers upload attachment files into their organization's folder" on storage.objects;
create policy "writers upload attachment files into their organization's folder" on storage.objects
  for insert to authenticated with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and private.attachment_folder_writable(name)
  );
drop policy "writers replace attachment files not yet attached" on storage.objects;
create policy "writers replace attachment files not yet attached" on storage.objects
  for update to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and not private.attachment_file_in_use(name)
  )
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.org_ids_with_role('member'))::text[])
    and private.attachment_folder_writable(name)
  );

-- A Stripe event listed as not matched to an organization could not be applied again -----------
--
-- receive_stripe_event marks it processed (Stripe must not retry it), so a retry answered
-- 'duplicate'. Once an operator has linked the customer, a retry now applies it.

create or replace function admin.retry_stripe_event(event_id text)
returns text
language sql
set search_path = ''
as $$
  update private.stripe_events e set processed_at = null, outcome = null
  where e.id = retry_stripe_event.event_id and e.outcome = 'ignored: no organization';
  select private.receive_stripe_event(e.payload) from private.stripe_events e where e.id = retry_stripe_event.event_id;
$$;

-- Subscribing again after a cancellation dropped the new subscription's first update -----------
--
-- Checkout kept the ended subscription's Stripe status beside the new subscription's id, so an
-- update of the new one from the same second was taken for news about an ended subscription
-- ('stale'): no plan or period until the next event, maybe a month later. And a status the
-- dashboard does not act on (incomplete, or one Stripe adds) arriving while past due cleared the
-- grace period, which made the organization read-only at once.

create or replace function private.apply_stripe_checkout(session jsonb, created timestamptz)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(session -> 'customer', coalesce(session #>> '{metadata,org_id}', session ->> 'client_reference_id'));
  current_row public.subscriptions;
  paid boolean := session ->> 'payment_status' in ('paid', 'no_payment_required');
begin
  if org is null or session ->> 'mode' is distinct from 'subscription' then
    return 'ignored: not a subscription checkout of ours';
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  update public.subscriptions s set stripe_customer_id = coalesce(s.stripe_customer_id, private.stripe_id(session -> 'customer'))
  where s.id = current_row.id;
  if not paid or current_row.state_event_at > created then
    return case when paid then 'stale' else 'applied' end;
  end if;
  -- Paid: the organization may write again at once, before the subscription's own events arrive.
  update public.subscriptions s set
    status = case when current_row.status = 'canceling' then 'canceling'::public.subscription_status else 'active' end,
    read_only_reason = null,
    grace_until = null,
    plan_id = coalesce((select p.id from public.plans p where p.id = session #>> '{metadata,plan_id}'), current_row.plan_id),
    stripe_subscription_id = coalesce(private.stripe_id(session -> 'subscription'), current_row.stripe_subscription_id),
    -- A new subscription starts active: the old one's 'canceled' would make its first update,
    -- often sent in the same second, look like news about an ended subscription.
    stripe_status = case when private.stripe_id(session -> 'subscription') is distinct from current_row.stripe_subscription_id
                         then 'active' else coalesce(current_row.stripe_status, 'active') end,
    state_event_at = created
  where s.id = current_row.id;
  return 'applied';
end;
$$;

create or replace function private.apply_stripe_subscription(sub jsonb, created timestamptz, deleted boolean)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(sub -> 'customer', sub #>> '{metadata,org_id}');
  current_row public.subscriptions;
  item jsonb := sub #> '{items,data,0}';
  sub_status text := case when deleted then 'canceled' else sub ->> 'status' end;
  canceling boolean := coalesce((sub ->> 'cancel_at_period_end')::boolean, false)
    or coalesce(jsonb_typeof(sub -> 'cancel_at') = 'number', false);
  next_status public.subscription_status;
  reason text;
  grace timestamptz;
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  if current_row.state_event_at > created then
    return 'stale';
  end if;
  -- An organization that subscribed again ignores what happens to its old subscription.
  if current_row.stripe_subscription_id is distinct from sub ->> 'id' and current_row.stripe_status in ('active', 'trialing', 'past_due')
     and (deleted or sub_status in ('canceled', 'incomplete_expired')) then
    return 'ignored: not the current subscription';
  end if;
  -- Within one second, an ended subscription stays ended.
  if current_row.stripe_subscription_id = sub ->> 'id' and current_row.stripe_status = 'canceled'
     and current_row.state_event_at = created and not deleted then
    return 'stale';
  end if;

  next_status := current_row.status;
  case
    when sub_status = 'canceled' then next_status := 'read_only'; reason := 'canceled';
    when sub_status in ('unpaid', 'incomplete_expired', 'paused') then next_status := 'read_only'; reason := 'unpaid';
    when sub_status = 'past_due' then
      next_status := 'past_due';
      grace := case when current_row.status = 'past_due' then current_row.grace_until
        else created + make_interval(days => (select a.grace_days from public.app_settings a)) end;
    when sub_status in ('active', 'trialing') then
      next_status := case when canceling then 'canceling' else 'active' end;
    else
      null; -- incomplete: the first payment is not done; the organization stays as it is
  end case;

  update public.subscriptions s set
    status = next_status,
    read_only_reason = case when next_status = 'read_only' then coalesce(reason, current_row.read_only_reason) end,
    grace_until = case when next_status = 'past_due' then coalesce(grace, current_row.grace_until) end,
    plan_id = coalesce(
      (select p.id from public.plans p
       where p.stripe_price_id = coalesce(item #>> '{price,id}', sub #>> '{plan,id}')),
      current_row.plan_id),
    current_period_start = coalesce(private.stripe_time(item -> 'current_period_start'),
      private.stripe_time(sub -> 'current_period_start'), current_row.current_period_start),
    current_period_end = coalesce(private.stripe_time(item -> 'current_period_end'),
      private.stripe_time(sub -> 'current_period_end'), current_row.current_period_end),
    cancel_at_period_end = canceling,
    stripe_customer_id = coalesce(current_row.stripe_customer_id, private.stripe_id(sub -> 'customer')),
    stripe_subscription_id = sub ->> 'id',
    stripe_status = sub_status,
    state_event_at = created
  where s.id = current_row.id;
  return 'applied';
end;
$$;

drop function private.is_platform_admin();
