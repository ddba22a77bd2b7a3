-- Stripe: what the billing edge functions need from the database.
--
-- stripe-webhook verifies the signature and hands the event to private.receive_stripe_event(),
-- which stores every event (id unique), applies each id once and in one transaction with its
-- effects, and records why an event failed (so Stripe's retry, or an operator, can try again).
-- Stripe delivers out of order: subscriptions.state_event_at (and invoices.stripe_event_at) keep
-- the `created` time of the newest event applied, and an older one changes nothing.
-- Both object shapes are read: before API version 2025-03-31 a subscription carried its period
-- and an invoice its `subscription`; now the period is on the subscription items and the
-- subscription is under invoice.parent.subscription_details.
-- billing-checkout and billing-portal read the organization's Stripe customer and the plan's
-- price through private.billing_context() as the signed-in user (owners only).
-- Touches: private.stripe_events, invoices, subscriptions.

create table private.stripe_events (
  id text primary key,
  type text not null,
  created timestamptz not null,
  livemode boolean not null default false,
  api_version text,
  payload jsonb not null,
  org_id uuid references public.organizations (id) on delete set null,
  received_at timestamptz not null default now(),
  attempts integer not null default 1,
  processed_at timestamptz,
  -- applied, stale (an older event than what the state shows), ignored (not used, or not ours)
  outcome text,
  error text
);
comment on table private.stripe_events is
  'Every Stripe webhook event received, applied once by id; failed ones keep their error until a retry succeeds.';
create index stripe_events_failed_idx on private.stripe_events (received_at) where processed_at is null;
create index stripe_events_org_id_idx on private.stripe_events (org_id, created);

create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  stripe_invoice_id text not null unique,
  stripe_subscription_id text,
  number text,
  -- Stripe's: draft, open, paid, uncollectible, void.
  status text not null,
  currency text not null references public.currencies (code),
  amount_due bigint not null default 0,
  amount_paid bigint not null default 0,
  total bigint not null default 0,
  period_start timestamptz,
  period_end timestamptz,
  hosted_invoice_url text,
  invoice_pdf text,
  issued_at timestamptz,
  stripe_event_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.invoices is
  'Stripe invoices of each organization (amounts in minor units of `currency`), written by the webhook; owners and admins read them.';
create index invoices_org_id_issued_at_idx on public.invoices (org_id, issued_at desc);

create trigger touch_updated_at before update on public.invoices
  for each row execute function private.touch_updated_at();

alter table public.invoices enable row level security;
create policy "admins read their organization's invoices" on public.invoices
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
grant select on public.invoices to authenticated;

-- Reading Stripe objects -------------------------------------------------------------------

-- An id field that may come as the id or as the expanded object.
create function private.stripe_id(value jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case jsonb_typeof(value) when 'string' then value #>> '{}' when 'object' then value ->> 'id' end;
$$;

create function private.stripe_time(value jsonb)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(value) = 'number' then to_timestamp((value #>> '{}')::bigint) end;
$$;

-- The organization an object belongs to: our metadata (set on customers, sessions and
-- subscriptions we create), else the organization whose Stripe customer it is.
create function private.stripe_org(customer jsonb, metadata_org_id text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select o.id from public.organizations o
     where metadata_org_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' and o.id = metadata_org_id::uuid),
    (select s.org_id from public.subscriptions s where s.stripe_customer_id = private.stripe_id(customer))
  );
$$;

-- Applying events --------------------------------------------------------------------------

create function private.apply_stripe_subscription(sub jsonb, created timestamptz, deleted boolean)
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
    grace_until = case when next_status = 'past_due' then grace end,
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

create function private.apply_stripe_checkout(session jsonb, created timestamptz)
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
    stripe_status = coalesce(current_row.stripe_status, 'active'),
    state_event_at = created
  where s.id = current_row.id;
  return 'applied';
end;
$$;

create function private.apply_stripe_invoice(invoice jsonb, created timestamptz, kind text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  details jsonb := coalesce(invoice #> '{parent,subscription_details}', invoice -> 'subscription_details');
  subscription_id text := coalesce(private.stripe_id(details -> 'subscription'), private.stripe_id(invoice -> 'subscription'));
  org uuid := private.stripe_org(invoice -> 'customer', details #>> '{metadata,org_id}');
  line_period jsonb := invoice #> '{lines,data,0,period}';
  current_row public.subscriptions;
  outcome text := 'applied';
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  insert into public.invoices as i (
    org_id, stripe_invoice_id, stripe_subscription_id, number, status, currency, amount_due, amount_paid, total,
    period_start, period_end, hosted_invoice_url, invoice_pdf, issued_at, stripe_event_at
  ) values (
    org, invoice ->> 'id', subscription_id, invoice ->> 'number', coalesce(invoice ->> 'status', 'open'),
    upper(invoice ->> 'currency'),
    coalesce((invoice ->> 'amount_due')::bigint, 0), coalesce((invoice ->> 'amount_paid')::bigint, 0),
    coalesce((invoice ->> 'total')::bigint, 0),
    coalesce(private.stripe_time(line_period -> 'start'), private.stripe_time(invoice -> 'period_start')),
    coalesce(private.stripe_time(line_period -> 'end'), private.stripe_time(invoice -> 'period_end')),
    invoice ->> 'hosted_invoice_url', invoice ->> 'invoice_pdf', private.stripe_time(invoice -> 'created'), created
  )
  on conflict (stripe_invoice_id) do update set
    number = coalesce(excluded.number, i.number), status = excluded.status, amount_due = excluded.amount_due,
    amount_paid = excluded.amount_paid, total = excluded.total, period_start = excluded.period_start,
    period_end = excluded.period_end, hosted_invoice_url = coalesce(excluded.hosted_invoice_url, i.hosted_invoice_url),
    invoice_pdf = coalesce(excluded.invoice_pdf, i.invoice_pdf), stripe_event_at = excluded.stripe_event_at
  where i.stripe_event_at <= excluded.stripe_event_at;
  if not found then
    outcome := 'stale';
  end if;

  if kind not in ('invoice.paid', 'invoice.payment_failed') or subscription_id is null then
    return outcome;
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  if current_row.stripe_subscription_id is not null and current_row.stripe_subscription_id <> subscription_id then
    return 'ignored: not the current subscription';
  end if;
  if kind = 'invoice.payment_failed' then
    insert into private.billing_notices (org_id, kind, payload)
    values (org, 'payment_failed', jsonb_build_object('invoice', invoice ->> 'id', 'amount_due', invoice -> 'amount_due'));
  end if;
  if current_row.state_event_at > created then
    return 'stale';
  end if;
  if kind = 'invoice.paid' then
    update public.subscriptions s set
      status = case when current_row.cancel_at_period_end then 'canceling'::public.subscription_status else 'active' end,
      read_only_reason = null,
      grace_until = null,
      stripe_subscription_id = subscription_id,
      stripe_customer_id = coalesce(current_row.stripe_customer_id, private.stripe_id(invoice -> 'customer')),
      state_event_at = created
    where s.id = current_row.id;
  elsif current_row.status in ('active', 'canceling', 'past_due') then
    update public.subscriptions s set
      status = 'past_due',
      read_only_reason = null,
      grace_until = coalesce(current_row.grace_until,
        created + make_interval(days => (select a.grace_days from public.app_settings a))),
      state_event_at = created
    where s.id = current_row.id;
  end if;
  return outcome;
end;
$$;

-- The card on file: from a payment method attached, or a customer's expanded default.
create function private.apply_stripe_payment_method(customer jsonb, method jsonb, created timestamptz)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(customer, null);
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  update public.subscriptions s set
    payment_method_id = method ->> 'id',
    payment_method_brand = method #>> '{card,brand}',
    payment_method_last4 = method #>> '{card,last4}',
    payment_method_event_at = created
  where s.org_id = org
    and (s.payment_method_event_at is null or s.payment_method_event_at <= created);
  return case when found then 'applied' else 'stale' end;
end;
$$;

create function private.apply_stripe_event(event jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  object jsonb := event #> '{data,object}';
  created timestamptz := private.stripe_time(event -> 'created');
  kind text := event ->> 'type';
  default_method jsonb;
  org uuid;
begin
  case
    when kind = 'checkout.session.completed' then
      return private.apply_stripe_checkout(object, created);
    when kind in ('customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted') then
      return private.apply_stripe_subscription(object, created, kind = 'customer.subscription.deleted');
    when kind = 'customer.subscription.trial_will_end' then
      org := private.stripe_org(object -> 'customer', object #>> '{metadata,org_id}');
      if org is null then
        return 'ignored: no organization';
      end if;
      insert into private.billing_notices (org_id, kind, payload)
      values (org, 'trial_will_end', jsonb_build_object('subscription', object ->> 'id', 'trial_end', object -> 'trial_end'));
      return 'applied';
    when kind in ('invoice.paid', 'invoice.payment_failed', 'invoice.finalized') then
      return private.apply_stripe_invoice(object, created, kind);
    when kind = 'payment_method.attached' then
      return private.apply_stripe_payment_method(object -> 'customer', object, created);
    when kind = 'customer.updated' then
      default_method := object #> '{invoice_settings,default_payment_method}';
      if jsonb_typeof(default_method) = 'object' then
        return private.apply_stripe_payment_method(to_jsonb(object ->> 'id'), default_method, created);
      end if;
      return 'ignored: no expanded payment method';
    else
      return 'ignored';
  end case;
end;
$$;

-- Stores the event and applies it once. Answers applied, stale, ignored..., duplicate (this id
-- was applied before: nothing changes), or failed (the error is stored; Stripe will retry).
create function private.receive_stripe_event(event jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  stored private.stripe_events;
  result text;
begin
  if event ->> 'id' is null or event ->> 'type' is null or private.stripe_time(event -> 'created') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'Not a Stripe event: id, type and created are needed.';
  end if;
  insert into private.stripe_events (id, type, created, livemode, api_version, payload)
  values (event ->> 'id', event ->> 'type', private.stripe_time(event -> 'created'),
    coalesce((event ->> 'livemode')::boolean, false), event ->> 'api_version', event)
  on conflict (id) do nothing;
  -- Concurrent deliveries of one id queue here; the second finds it processed.
  select * into stored from private.stripe_events e where e.id = event ->> 'id' for update;
  if stored.processed_at is not null then
    return 'duplicate';
  end if;
  if stored.error is not null then
    update private.stripe_events e set attempts = e.attempts + 1 where e.id = stored.id;
  end if;
  begin
    result := private.apply_stripe_event(stored.payload);
    update private.stripe_events e set
      processed_at = now(), outcome = result, error = null,
      org_id = private.stripe_org(
        coalesce(stored.payload #> '{data,object,customer}', to_jsonb(stored.payload #>> '{data,object,id}')),
        coalesce(stored.payload #>> '{data,object,metadata,org_id}',
          stored.payload #>> '{data,object,parent,subscription_details,metadata,org_id}'))
    where e.id = stored.id;
    return result;
  exception when others then
    update private.stripe_events e set error = format('%s: %s', sqlstate, sqlerrm) where e.id = stored.id;
    return 'failed';
  end;
end;
$$;

-- Checkout and portal ----------------------------------------------------------------------

-- What billing-checkout and billing-portal need, for an owner of the organization (the caller's
-- JWT claims are set): its name, Stripe customer, the caller's email, and the plan's price
-- (checkout only: not for an organization that already pays).
create function private.billing_context(org_id uuid, plan_id text)
returns table (org_name text, customer_id text, email text, price_id text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  plan public.plans;
begin
  perform private.require_org_role(org_id, 'owner');
  if billing_context.plan_id is not null then
    select * into plan from public.plans p where p.id = billing_context.plan_id and p.is_active;
    if plan.id is null then
      raise sqlstate 'PT404' using message = 'PLAN_NOT_FOUND', detail = format('No plan %L on sale.', billing_context.plan_id);
    end if;
    if plan.stripe_price_id is null then
      raise sqlstate 'PT503' using message = 'BILLING_NOT_CONFIGURED', detail = format('Plan %L has no Stripe price yet.', plan.id);
    end if;
    -- A second Checkout would start a second subscription: plans change in the portal.
    if exists (
      select from public.subscriptions s
      where s.org_id = billing_context.org_id and s.stripe_subscription_id is not null
        and s.status in ('active', 'canceling', 'past_due')
    ) then
      raise sqlstate 'PT409' using message = 'ALREADY_SUBSCRIBED',
        detail = 'The organization has a subscription: change the plan or the card in the billing portal.';
    end if;
  end if;
  return query
    select o.name, s.stripe_customer_id, (select u.email::text from auth.users u where u.id = auth.uid()), plan.stripe_price_id
    from public.organizations o join public.subscriptions s on s.org_id = o.id
    where o.id = billing_context.org_id;
end;
$$;

-- Keeps the first Stripe customer made for the organization and answers the one kept.
create function private.remember_stripe_customer(org_id uuid, customer_id text)
returns text
language sql
security definer
set search_path = ''
as $$
  update public.subscriptions s set stripe_customer_id = coalesce(s.stripe_customer_id, customer_id)
  where s.org_id = remember_stripe_customer.org_id
  returning s.stripe_customer_id;
$$;
