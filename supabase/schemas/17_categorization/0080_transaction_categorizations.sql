-- One row per transaction the categorizer has seen: what it suggested, from which stage, how
-- sure and why, whether it was applied, and who set the category when a person did. Kept apart
-- from public.transactions so the cascade's bookkeeping never changes a transaction's columns.
create table public.transaction_categorizations (
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  -- The suggestion (stage rule, history, merchant, llm) or the user's choice (stage user).
  category_id uuid,
  stage public.categorize_stage,
  confidence numeric(4, 3) check (confidence between 0 and 1),
  reason text check (char_length(reason) <= 500),
  -- What each stage said: [{ stage, category_id, confidence, reason }, ...].
  trail jsonb not null default '[]' check (jsonb_typeof(trail) = 'array'),
  -- True when the suggestion became the transaction's category.
  applied boolean not null default false,
  rule_id uuid,
  -- Set when a person chose the category: it is never overwritten after that.
  set_by uuid,
  updated_at timestamptz not null default now(),
  primary key (org_id, transaction_id),
  -- Deferred: the insert trigger records the suggestion before the transaction's row exists.
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade
    deferrable initially deferred,
  foreign key (org_id, category_id) references public.categories (org_id, id) on delete set null (category_id),
  foreign key (org_id, rule_id) references public.category_rules (org_id, id) on delete set null (rule_id)
);

comment on table public.transaction_categorizations is
  'The categorizer''s suggestion for each transaction (stage, confidence, reason, what every stage said) and whether a person set the category.';

alter table public.transaction_categorizations enable row level security;

create policy "members read categorizations" on public.transaction_categorizations for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.transaction_categorizations to authenticated;

create index transaction_categorizations_org_id_stage_idx on public.transaction_categorizations (org_id, stage);
