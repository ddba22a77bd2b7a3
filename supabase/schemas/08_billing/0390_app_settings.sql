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

insert into public.app_settings default values;

comment on table public.app_settings is
  'The platform configuration (one row): trial and grace days, limits, defaults. Platform admins change it with update_app_settings().';

alter table public.app_settings enable row level security;

create policy "signed-in users read the settings" on public.app_settings for select to authenticated using (true);

grant select on public.app_settings to authenticated;

create trigger record_config_change after insert or update or delete on public.app_settings
  for each row execute function private.record_config_change();

create trigger sync_attachment_bucket after update of max_file_size_bytes on public.app_settings
  for each statement execute function private.sync_attachment_bucket_with_settings();
