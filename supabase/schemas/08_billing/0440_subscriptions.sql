create table public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null unique references public.organizations (id) on delete cascade,
  status public.subscription_status not null default 'trialing',
  read_only_reason text check (read_only_reason in ('trial_expired', 'grace_over', 'canceled', 'unpaid')),
  plan_id text references public.plans (id),
  trial_started_at timestamptz not null default now(),
  trial_ends_at timestamptz not null,
  grace_until timestamptz,
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  -- A platform admin's suspension overrides the state until lifted; the state keeps following Stripe.
  suspended_at timestamptz,
  suspended_reason text,
  stripe_customer_id text unique,
  stripe_subscription_id text unique,
  stripe_status text,
  payment_method_id text,
  payment_method_brand text,
  payment_method_last4 text check (payment_method_last4 ~ '^[0-9]{4}$'),
  -- Stripe's `created` time of the newest event applied to the state, and to the payment method:
  -- Stripe delivers out of order, and an older event never overwrites what a newer one set.
  state_event_at timestamptz,
  payment_method_event_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  check ((status = 'read_only') = (read_only_reason is not null))
);

comment on table public.subscriptions is
  'One per organization: its trial, plan and Stripe subscription state. Members read it; the webhook, the daily job and platform admins change it.';

create trigger touch_updated_at before update on public.subscriptions
  for each row execute function private.touch_updated_at();

alter table public.subscriptions enable row level security;

create policy "members read their organization's subscription" on public.subscriptions
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.subscriptions to authenticated;

-- Audited, synced and broadcast: a member's app learns at once that its organization turned read-only.
select private.track_changes('public.subscriptions');

create constraint trigger apply_stripe_events_waiting_for_customer
  after update of stripe_customer_id on public.subscriptions
  deferrable initially deferred
  for each row
  when (new.stripe_customer_id is not null and old.stripe_customer_id is distinct from new.stripe_customer_id)
  execute function private.apply_stripe_events_waiting_for_customer();
