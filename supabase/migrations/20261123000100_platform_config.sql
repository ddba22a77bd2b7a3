-- The platform's one configuration, and who may change it.
--
-- Platform admins are WestWallet's operators, not members of any organization: a row in
-- private.platform_admins, added from the SQL editor (`insert into private.platform_admins (user_id)
-- values ('<auth.users id>')`). A JWT claim would be editable by whoever can set user metadata;
-- this table is not reachable through the Data API at all.
--
-- The configuration is `app_settings` (one row: trial and grace days, limits, defaults) and
-- `plans` (what is sold, with Stripe price ids and monthly credit allowances). Every signed-in
-- user reads them; platform admins change them through update_app_settings() and save_plan();
-- every change, from any path (SQL editor included), is kept in private.config_changes.
-- Touches: private.platform_admins, app_settings, plans, private.config_changes.

create table private.platform_admins (
  user_id uuid primary key references auth.users (id) on delete cascade,
  note text,
  created_at timestamptz not null default now()
);
comment on table private.platform_admins is
  'WestWallet operators: may change the configuration, suspend organizations and adjust credits. Filled from the SQL editor.';

create function private.is_platform_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select from private.platform_admins a where a.user_id = (select auth.uid()));
$$;

-- For RPCs only operators may call: the caller's id, or PLATFORM_ADMIN_REQUIRED.
create function private.require_platform_admin()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller_id uuid := private.require_user();
begin
  if not exists (select from private.platform_admins a where a.user_id = caller_id) then
    raise sqlstate 'PT403' using message = 'PLATFORM_ADMIN_REQUIRED', detail = 'Only WestWallet operators may do this.';
  end if;
  return caller_id;
end;
$$;

grant execute on function private.is_platform_admin(), private.require_platform_admin() to authenticated;

-- Settings ----------------------------------------------------------------------------------

create table public.app_settings (
  -- One row: the key is always true.
  id boolean primary key default true check (id),
  trial_days integer not null default 30 check (trial_days between 0 and 365),
  -- Days a past-due organization keeps writing while Stripe retries the payment.
  grace_days integer not null default 7 check (grace_days between 0 and 90),
  max_file_size_bytes bigint not null default 26214400 check (max_file_size_bytes between 1 and 5368709120),
  -- Members per organization when its plan sets no limit of its own (trials).
  max_members integer not null default 10 check (max_members between 1 and 10000),
  -- Credits a new organization starts with.
  trial_credits bigint not null default 100 check (trial_credits >= 0),
  -- A balance falling below this raises a credits_low notice (private.billing_notices).
  low_credit_threshold bigint not null default 20 check (low_credit_threshold >= 0),
  -- What `preferences.notifications` a new user starts from: the same shape, checked alike.
  notification_defaults jsonb not null default '{"email": true, "push": false, "reminderDaysBefore": 7, "digest": "weekly"}'
    check (cardinality(private.preferences_errors(jsonb_build_object('notifications', notification_defaults))) = 0),
  updated_at timestamptz not null default now(),
  updated_by uuid
);
comment on table public.app_settings is
  'The platform configuration (one row): trial and grace days, limits, defaults. Platform admins change it with update_app_settings().';
insert into public.app_settings default values;

create table public.plans (
  id text primary key check (id ~ '^[a-z][a-z0-9_-]{1,39}$'),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- Null until an operator creates the price in Stripe; checkout refuses such a plan.
  stripe_price_id text unique check (stripe_price_id ~ '^price_[A-Za-z0-9_]+$'),
  monthly_credits bigint not null default 0 check (monthly_credits >= 0),
  -- Null: app_settings.max_members applies.
  max_members integer check (max_members between 1 and 10000),
  is_active boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.plans is
  'What WestWallet sells: a Stripe price, a monthly credit allowance and a member limit. Platform admins change plans with save_plan().';

insert into public.plans (id, name, monthly_credits, max_members, sort_order) values
  ('household', 'Household', 200, 5, 10),
  ('family', 'Family', 400, 10, 20),
  ('business', 'Business', 2000, 50, 30);

create trigger touch_updated_at before update on public.plans
  for each row execute function private.touch_updated_at();

alter table public.app_settings enable row level security;
alter table public.plans enable row level security;
create policy "signed-in users read the settings" on public.app_settings for select to authenticated using (true);
create policy "signed-in users read the plans" on public.plans for select to authenticated using (true);
grant select on public.app_settings, public.plans to authenticated;

-- Audit trail of the configuration --------------------------------------------------------

create table private.config_changes (
  id bigint generated always as identity primary key,
  table_name text not null,
  key text not null,
  operation text not null check (operation in ('INSERT', 'UPDATE', 'DELETE')),
  old_values jsonb,
  new_values jsonb,
  actor_id uuid,
  actor_role text not null,
  created_at timestamptz not null default now()
);
comment on table private.config_changes is
  'Every change to app_settings, plans and platform_admins, by whom; written by trigger, never changed.';

create function private.record_config_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  before jsonb := old_data;
  after jsonb := new_data;
begin
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value) into before, after
    from jsonb_each(new_data) n join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null;
    end if;
  end if;
  insert into private.config_changes (table_name, key, operation, old_values, new_values, actor_id, actor_role)
  values (
    tg_table_name,
    coalesce(new_data, old_data) ->> (case tg_table_name when 'platform_admins' then 'user_id' else 'id' end),
    tg_op, before, after, auth.uid(),
    coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', session_user::text)
  );
  return null;
end;
$$;

create trigger record_config_change after insert or update or delete on public.app_settings
  for each row execute function private.record_config_change();
create trigger record_config_change after insert or update or delete on public.plans
  for each row execute function private.record_config_change();
create trigger record_config_change after insert or update or delete on private.platform_admins
  for each row execute function private.record_config_change();

create function private.config_changes_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise sqlstate 'PT403' using message = 'AUDIT_LOG_APPEND_ONLY', detail = 'Configuration history is never changed or deleted.';
end;
$$;

create trigger append_only before update or delete on private.config_changes
  for each row execute function private.config_changes_append_only();

-- RPCs for platform admins ------------------------------------------------------------------

create function private.update_app_settings(changes jsonb)
returns public.app_settings
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := private.require_platform_admin();
  editable text[] := array['trial_days', 'grace_days', 'max_file_size_bytes', 'max_members', 'trial_credits',
    'low_credit_threshold', 'notification_defaults'];
  unknown text;
  current_row public.app_settings;
  merged public.app_settings;
begin
  if jsonb_typeof(changes) is distinct from 'object' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'changes: an object of settings';
  end if;
  select string_agg(k, ', ') into unknown from jsonb_object_keys(changes) k where k <> all (editable);
  if unknown is not null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = format('not editable settings: %s', unknown);
  end if;
  select * into current_row from public.app_settings for update;
  merged := jsonb_populate_record(current_row, changes);
  update public.app_settings s set
    trial_days = merged.trial_days,
    grace_days = merged.grace_days,
    max_file_size_bytes = merged.max_file_size_bytes,
    max_members = merged.max_members,
    trial_credits = merged.trial_credits,
    low_credit_threshold = merged.low_credit_threshold,
    notification_defaults = merged.notification_defaults,
    updated_at = now(),
    updated_by = actor
  returning * into merged;
  return merged;
end;
$$;

create function public.update_app_settings(changes jsonb)
returns public.app_settings
language sql
set search_path = ''
as $$
  select * from private.update_app_settings(changes);
$$;
comment on function public.update_app_settings is
  'Platform admins change settings: pass only the keys to change, e.g. {"trial_days": 14}.';

create function private.save_plan(plan jsonb)
returns public.plans
language plpgsql
security definer
set search_path = ''
as $$
declare
  editable text[] := array['id', 'name', 'stripe_price_id', 'monthly_credits', 'max_members', 'is_active', 'sort_order'];
  unknown text;
  current_row public.plans;
  merged public.plans;
begin
  perform private.require_platform_admin();
  if jsonb_typeof(plan) is distinct from 'object' or plan ->> 'id' is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'plan: an object with at least an id';
  end if;
  select string_agg(k, ', ') into unknown from jsonb_object_keys(plan) k where k <> all (editable);
  if unknown is not null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = format('not editable plan fields: %s', unknown);
  end if;
  select * into current_row from public.plans p where p.id = plan ->> 'id' for update;
  merged := jsonb_populate_record(current_row, plan);
  insert into public.plans (id, name, stripe_price_id, monthly_credits, max_members, is_active, sort_order)
  values (merged.id, merged.name, merged.stripe_price_id, coalesce(merged.monthly_credits, 0), merged.max_members,
    coalesce(merged.is_active, true), coalesce(merged.sort_order, 0))
  on conflict (id) do update set
    name = excluded.name, stripe_price_id = excluded.stripe_price_id, monthly_credits = excluded.monthly_credits,
    max_members = excluded.max_members, is_active = excluded.is_active, sort_order = excluded.sort_order
  returning * into merged;
  return merged;
end;
$$;

create function public.save_plan(plan jsonb)
returns public.plans
language sql
set search_path = ''
as $$
  select * from private.save_plan(plan);
$$;
comment on function public.save_plan is
  'Platform admins create a plan or change the fields given, e.g. {"id": "family", "stripe_price_id": "price_..."}.';

grant execute on function
  public.update_app_settings(jsonb), private.update_app_settings(jsonb),
  public.save_plan(jsonb), private.save_plan(jsonb)
to authenticated;
