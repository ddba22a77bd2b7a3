-- Each time a person changed a category the categorizer had chosen or suggested: remembered, so
-- the history stage learns it and repeated corrections of one payee offer a rule.
create table public.category_corrections (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  payee_key text not null,
  from_category_id uuid,
  from_stage public.categorize_stage not null,
  to_category_id uuid not null,
  corrected_by uuid,
  corrected_at timestamptz not null default now(),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade,
  foreign key (org_id, from_category_id) references public.categories (org_id, id) on delete set null (from_category_id),
  foreign key (org_id, to_category_id) references public.categories (org_id, id) on delete cascade
);

comment on table public.category_corrections is
  'Categories people changed after the categorizer chose or suggested another: the source of rule offers.';

alter table public.category_corrections enable row level security;

create policy "members read corrections" on public.category_corrections for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.category_corrections to authenticated;

create index category_corrections_org_id_payee_idx on public.category_corrections (org_id, payee_key, to_category_id);
