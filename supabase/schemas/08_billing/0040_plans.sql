create table public.plans (
  id text primary key check (id ~ '^[a-z][a-z0-9_-]{1,39}$'),
  name text not null check (private.name_is_valid(name, 100)),
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

insert into public.plans (id, name, monthly_credits, max_members, sort_order) values
  ('household', 'Household', 200, 5, 10),
  ('family', 'Family', 400, 10, 20),
  ('business', 'Business', 2000, 50, 30);

comment on table public.plans is
  'What WestWallet sells: a Stripe price, a monthly credit allowance and a member limit. Platform admins change plans with save_plan().';

create trigger touch_updated_at before update on public.plans
  for each row execute function private.touch_updated_at();

alter table public.plans enable row level security;

create policy "signed-in users read the plans" on public.plans for select to authenticated using (true);

grant select on public.plans to authenticated;

create trigger record_config_change after insert or update or delete on public.plans
  for each row execute function private.record_config_change();

