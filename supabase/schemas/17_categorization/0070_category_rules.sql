create table public.category_rules (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (private.name_is_valid(name, 120)),
  stage public.rule_stage not null default 'default',
  -- Order within the stage; ties run oldest first.
  position integer not null default 0 check (position between -1000000 and 1000000),
  enabled boolean not null default true,
  -- [{ field, op, value }, ...], all of which must hold: see private.rule_conditions_problem.
  conditions jsonb not null,
  set_category_id uuid,
  set_vendor_id uuid,
  -- Tag names, created on first use.
  add_tags text[] check (cardinality(add_tags) <= 10),
  -- Written only where the transaction has no notes.
  set_notes text check (char_length(set_notes) between 1 and 500),
  foreign key (org_id, set_category_id) references public.categories (org_id, id) on delete cascade,
  foreign key (org_id, set_vendor_id) references public.vendors (org_id, id) on delete cascade
);

comment on table public.category_rules is
  'The organization''s categorization rules: conditions on payee, text, amount, account and kind, and the category, vendor, tags and notes they set; run on every new transaction (before, default, after stages).';

select private.enroll_record_table('public.category_rules');

create index category_rules_org_id_stage_idx on public.category_rules (org_id, stage, position, created_at)
  where deleted_at is null and enabled;

create trigger check_category_rule before insert or update on public.category_rules
  for each row execute function private.check_category_rule();
