create table public.categories (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.category_kind not null,
  parent_id uuid,
  name text not null check (private.name_is_valid(name, 80)),
  -- Stable key of a default category (`groceries`), so imports and rules can find it whatever
  -- the language; null for categories people add.
  key text check (key ~ '^[a-z][a-z0-9_]{1,40}$'),
  color text check (color ~ '^#[0-9a-f]{6}$'),
  icon text check (char_length(icon) between 1 and 40),
  -- In the organization's base currency; null means no budget.
  monthly_budget_minor bigint check (monthly_budget_minor >= 0),
  sort_order integer not null default 0
);

comment on table public.categories is
  'Expense and income categories: two levels (a parent and its children), with colour, icon and a monthly budget in the base currency.';

select private.enroll_record_table('public.categories');

-- The self reference needs the (org_id, id) key that enrolling adds.
alter table public.categories add foreign key (org_id, parent_id) references public.categories (org_id, id);

create index categories_org_id_parent_idx on public.categories (org_id, parent_id) where deleted_at is null;

create unique index categories_org_id_name_key on public.categories
  (org_id, kind, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'), lower(name)) where deleted_at is null;

create unique index categories_org_id_key_key on public.categories (org_id, key) where deleted_at is null;

-- Before trash_instead_of_delete (alphabetical).
create trigger guard_category_delete before delete on public.categories
  for each row execute function private.guard_category_delete();

alter table public.categories alter column org_id set (n_distinct = 20);

alter table public.categories
  add constraint categories_monthly_budget_minor_range check (private.amount_in_range(monthly_budget_minor));
