-- Each organization's subscription state, and read-only mode enforced by the database.
--
-- An organization starts a trial when it is created (app_settings.trial_days). Stripe's webhook
-- (private.apply_stripe_event, a later migration) moves it to active, past due, cancelling or
-- read-only; a daily job moves expired trials and graces to read-only; platform admins suspend.
-- Members read the state (billing_status); nobody writes it through the Data API.
--
-- Read-only mode: when an organization is not in good standing, every write to its data fails
-- with TRIAL_EXPIRED or SUBSCRIPTION_INACTIVE (402). The check sits in the record contract's
-- write path (stamp_record before insert/update, trash_instead_of_delete before delete), so every
-- record table, present and future, is covered; and in triggers on organizations (settings),
-- invitations and memberships (new members). Reading, exporting, paying, leaving, removing
-- members, transferring ownership and deleting the organization keep working. The check is one
-- primary-key lookup and is computed from the times, so it holds before the daily job runs.
-- SQL without a JWT (operators in the SQL editor, cron jobs, migrations) is not checked.
-- Touches: subscriptions, billing_status (view), stamp_record, trash_instead_of_delete,
-- organizations, invitations, memberships (triggers), cron.job.

create type public.subscription_status as enum ('trialing', 'active', 'past_due', 'canceling', 'read_only');
comment on type public.subscription_status is
  'trialing (no payment yet), active (paid), past_due (payment failed, writable until grace_until), canceling (paid until the period ends), read_only.';

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

-- A new organization starts its trial; existing ones start theirs now, so no deploy locks anyone out.
create function private.start_trial()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.subscriptions (org_id, trial_started_at, trial_ends_at)
  select new.id, now(), now() + make_interval(days => s.trial_days) from public.app_settings s;
  return null;
end;
$$;

create trigger start_trial after insert on public.organizations
  for each row execute function private.start_trial();

insert into public.subscriptions (org_id, trial_started_at, trial_ends_at)
select o.id, now(), now() + make_interval(days => s.trial_days)
from public.organizations o cross join public.app_settings s;

-- Good standing -------------------------------------------------------------------------------

-- Why the organization may not write now: TRIAL_EXPIRED, SUBSCRIPTION_INACTIVE, or null.
create function private.write_refusal(org_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when s.suspended_at is not null then 'SUBSCRIPTION_INACTIVE'
    when s.status = 'trialing' then case when s.trial_ends_at > now() then null else 'TRIAL_EXPIRED' end
    when s.status = 'active' then null
    when s.status = 'canceling' then
      case when s.current_period_end is null or s.current_period_end > now() then null else 'SUBSCRIPTION_INACTIVE' end
    when s.status = 'past_due' then case when s.grace_until > now() then null else 'SUBSCRIPTION_INACTIVE' end
    when s.read_only_reason = 'trial_expired' then 'TRIAL_EXPIRED'
    else 'SUBSCRIPTION_INACTIVE'
  end
  from public.subscriptions s
  where s.org_id = write_refusal.org_id;
$$;

-- Raises the refusal for a write to the organization's data by a request (a JWT is set).
create function private.require_good_standing(org_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  refusal text;
begin
  if nullif(current_setting('request.jwt.claims', true), '') is null then
    return;
  end if;
  refusal := private.write_refusal(org_id);
  if refusal = 'TRIAL_EXPIRED' then
    raise sqlstate 'PT402' using message = 'TRIAL_EXPIRED',
      detail = 'The trial has ended: the organization is read-only until an owner subscribes.';
  elsif refusal is not null then
    raise sqlstate 'PT402' using message = 'SUBSCRIPTION_INACTIVE',
      detail = 'The subscription is not active (unpaid, cancelled or suspended): the organization is read-only.';
  end if;
end;
$$;

grant execute on function private.write_refusal(uuid), private.require_good_standing(uuid) to authenticated, service_role;

-- The record contract's write path, as in 20261121000400_record_contract.sql plus the standing
-- check (before a reference is used up). Every record table calls these two.
create or replace function private.stamp_record()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- Row-level security checks the new row only after this trigger: refuse a foreign
    -- organization here, before a reference of it is used up (sequences never roll back).
    if auth.uid() is not null and row_security_active(tg_relid)
       and not private.has_org_role(new.org_id, 'member') then
      raise sqlstate '42501' using
        message = format('new row violates row-level security policy for table "%s"', tg_table_name);
    end if;
    perform private.require_good_standing(new.org_id);
    new.reference := private.next_reference(new.org_id);
    new.created_at := now();
    new.created_by := auth.uid();
    new.updated_at := now();
    new.updated_by := auth.uid();
    new.deleted_at := null;
    new.deleted_by := null;
    return new;
  end if;
  if (new.id, new.org_id, new.reference, new.created_at, new.created_by)
     is distinct from (old.id, old.org_id, old.reference, old.created_at, old.created_by)
     or ((new.deleted_at, new.deleted_by) is distinct from (old.deleted_at, old.deleted_by)
         and private.internal_operation() is null) then
    raise sqlstate 'PT400' using message = 'READ_ONLY_COLUMN',
      detail = 'id, org_id, reference, created_* and deleted_* are set by the database; delete and restore move records in and out of the trash.';
  end if;
  -- Moving to the trash was checked by trash_instead_of_delete already.
  if private.internal_operation() is distinct from 'trash' then
    perform private.require_good_standing(new.org_id);
  end if;
  new.updated_at := now();
  new.updated_by := auth.uid();
  return new;
end;
$$;

-- A delete moves the record to the trash instead; purging (and deleting the organization)
-- deletes for real, also in read-only mode.
create or replace function private.trash_instead_of_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.internal_operation() = 'purge'
     or not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  perform private.require_good_standing(old.org_id);
  perform set_config('westwallet.internal_operation', 'trash', true);
  execute format('update %s set deleted_at = now(), deleted_by = auth.uid() where id = $1 and deleted_at is null', tg_relid::regclass)
    using old.id;
  perform set_config('westwallet.internal_operation', '', true);
  return null;
end;
$$;

-- Settings of a read-only organization stay as they are.
create function private.guard_organization_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_good_standing(new.id);
  return new;
end;
$$;

create trigger require_good_standing before update on public.organizations
  for each row execute function private.guard_organization_update();

-- Member limit --------------------------------------------------------------------------------

-- The most members the organization's plan allows (app_settings.max_members without a plan limit).
create function private.member_limit(org_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(p.max_members, a.max_members)
  from public.app_settings a
  left join public.subscriptions s on s.org_id = member_limit.org_id
  left join public.plans p on p.id = s.plan_id;
$$;

-- New members and invitations: the organization must be in good standing and below its limit.
-- invite_member() and accept_invitation() lock the organization first, so the count holds.
create function private.guard_new_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  seats integer := private.member_limit(new.org_id);
  taken integer;
begin
  if nullif(current_setting('request.jwt.claims', true), '') is null then
    return new;
  end if;
  select count(*) into taken from public.memberships m where m.org_id = new.org_id;
  -- The founding owner of a new organization.
  if tg_table_name = 'memberships' and taken = 0 then
    return new;
  end if;
  perform private.require_good_standing(new.org_id);
  if tg_table_name = 'invitations' then
    taken := taken + (
      select count(*) from public.invitations i
      where i.org_id = new.org_id and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
    );
  end if;
  if taken >= seats then
    raise sqlstate 'PT402' using message = 'PLAN_LIMIT_REACHED',
      detail = format('The plan allows %s members (pending invitations count); upgrade or remove someone first.', seats);
  end if;
  return new;
end;
$$;

create trigger guard_new_member before insert on public.invitations
  for each row execute function private.guard_new_member();
create trigger guard_new_member before insert on public.memberships
  for each row execute function private.guard_new_member();

-- What members read ---------------------------------------------------------------------------

create view public.billing_status with (security_invoker = true) as
select
  s.org_id,
  case when s.suspended_at is not null then 'suspended' else s.status::text end as state,
  s.read_only_reason,
  s.plan_id,
  p.name as plan_name,
  s.trial_started_at,
  s.trial_ends_at,
  case when s.status = 'trialing'
    then greatest(0, ceil(extract(epoch from s.trial_ends_at - now()) / 86400))::integer
  end as trial_days_left,
  s.grace_until,
  s.current_period_start,
  s.current_period_end,
  s.cancel_at_period_end,
  s.stripe_subscription_id is not null and s.status in ('active', 'canceling') as is_paid,
  private.write_refusal(s.org_id) is null as in_good_standing,
  private.write_refusal(s.org_id) as refusal_code,
  s.payment_method_brand,
  s.payment_method_last4,
  coalesce(p.max_members, a.max_members) as max_members,
  s.suspended_at,
  s.updated_at
from public.subscriptions s
cross join public.app_settings a
left join public.plans p on p.id = s.plan_id;
comment on view public.billing_status is
  'Each of the caller''s organizations: state (trialing, active, past_due, canceling, read_only, suspended), days left, paid or not, good standing.';
grant select on public.billing_status to authenticated;

-- Daily: expired trials and graces become read-only -----------------------------------------

create function private.enforce_billing_deadlines()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  moved integer;
begin
  update public.subscriptions s set
    status = 'read_only',
    read_only_reason = case s.status
      when 'trialing' then 'trial_expired' when 'past_due' then 'grace_over' else 'canceled' end
  where (s.status = 'trialing' and s.trial_ends_at <= now())
     or (s.status = 'past_due' and s.grace_until <= now())
     or (s.status = 'canceling' and s.current_period_end <= now());
  get diagnostics moved = row_count;
  return moved;
end;
$$;

select cron.schedule('billing-deadlines', '7 0 * * *', 'select private.enforce_billing_deadlines()');

-- Platform admins suspend and reinstate ------------------------------------------------------

create function private.set_suspension(org_id uuid, suspended boolean, reason text)
returns public.subscriptions
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed public.subscriptions;
begin
  perform private.require_platform_admin();
  if suspended and nullif(btrim(reason), '') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'reason: say why the organization is suspended';
  end if;
  update public.subscriptions s set
    suspended_at = case when suspended then coalesce(s.suspended_at, now()) end,
    suspended_reason = case when suspended then btrim(reason) end
  where s.org_id = set_suspension.org_id
  returning * into changed;
  if changed.id is null then
    raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
  end if;
  return changed;
end;
$$;

create function public.suspend_organization(org_id uuid, reason text)
returns public.subscriptions
language sql
set search_path = ''
as $$
  select * from private.set_suspension(org_id, true, reason);
$$;
comment on function public.suspend_organization is 'Platform admins make an organization read-only, with a reason.';

create function public.reinstate_organization(org_id uuid)
returns public.subscriptions
language sql
set search_path = ''
as $$
  select * from private.set_suspension(org_id, false, null);
$$;
comment on function public.reinstate_organization is 'Platform admins lift a suspension; the subscription state applies again.';

grant execute on function
  private.set_suspension(uuid, boolean, text),
  public.suspend_organization(uuid, text),
  public.reinstate_organization(uuid)
to authenticated;
