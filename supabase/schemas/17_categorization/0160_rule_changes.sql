-- What running the rules (all enabled ones, or one) over the organization's existing
-- transactions would change: category, vendor, notes, tags. Leaves out transfers, split
-- transactions and categories a person set (never overwritten).
create function private.rule_changes(org_id uuid, rule_id uuid default null)
returns table (
  transaction_id uuid,
  category_id uuid,
  new_category_id uuid,
  vendor_id uuid,
  new_vendor_id uuid,
  new_notes text,
  add_tags text[],
  reason text,
  matched_rule_id uuid,
  trail jsonb
)
language sql
stable
set search_path = ''
as $$
  select t.id, t.category_id, coalesce(s.category_id, t.category_id), t.vendor_id, coalesce(s.vendor_id, t.vendor_id),
         case when t.notes is null then s.set_notes end, s.add_tags, s.reason, s.rule_id, s.trail
  from public.transactions t
  left join public.transaction_categorizations tc on tc.org_id = t.org_id and tc.transaction_id = t.id
  cross join lateral private.suggest_category(t.org_id, t.kind::text, t.counterparty, t.description, t.amount_minor,
                                             t.account_id, rules_only => true, only_rule_id => rule_changes.rule_id) s
  where t.org_id = rule_changes.org_id and t.deleted_at is null and t.kind <> 'transfer' and not t.is_split
    -- A category without a record of who set it predates the categorizer: a person's.
    and (t.category_id is null or tc.stage in ('rule', 'history', 'merchant', 'llm'))
    and s.stage = 'rule'
    and (s.category_id is distinct from null and s.category_id is distinct from t.category_id
         or s.vendor_id is distinct from null and s.vendor_id is distinct from t.vendor_id
         or (t.notes is null and s.set_notes is not null)
         or exists (select from unnest(s.add_tags) n where not exists (
              select from public.transaction_tags tt join public.tags g on g.org_id = tt.org_id and g.id = tt.tag_id
              where tt.org_id = t.org_id and tt.transaction_id = t.id and lower(g.name) = lower(btrim(n)))));
$$;

-- The preview: what apply_category_rules would change, newest first.
create function private.preview_category_rules(org_id uuid, rule_id uuid, max_rows integer)
returns table (
  transaction_id uuid,
  reference text,
  booked_on date,
  counterparty text,
  description text,
  category_id uuid,
  new_category_id uuid,
  vendor_id uuid,
  new_vendor_id uuid,
  new_notes text,
  add_tags text[],
  reason text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  return query
  select c.transaction_id, t.reference, t.booked_on, t.counterparty, t.description, c.category_id, c.new_category_id,
         c.vendor_id, c.new_vendor_id, c.new_notes, c.add_tags, c.reason
  from private.rule_changes(org_id, rule_id) c
  join public.transactions t on t.org_id = preview_category_rules.org_id and t.id = c.transaction_id
  order by t.booked_on desc, t.reference desc
  limit least(greatest(coalesce(max_rows, 500), 1), 5000);
end;
$$;

grant execute on function private.preview_category_rules(uuid, uuid, integer) to authenticated;

create function public.preview_category_rules(org_id uuid, rule_id uuid default null, max_rows integer default 500)
returns table (
  transaction_id uuid,
  reference text,
  booked_on date,
  counterparty text,
  description text,
  category_id uuid,
  new_category_id uuid,
  vendor_id uuid,
  new_vendor_id uuid,
  new_notes text,
  add_tags text[],
  reason text
)
language sql
stable
set search_path = ''
as $$
  select * from private.preview_category_rules(org_id, rule_id, max_rows);
$$;

comment on function public.preview_category_rules is
  'Members'' preview of what running the rules (all, or one) over existing transactions would change; categories people set stay.';

grant execute on function public.preview_category_rules(uuid, uuid, integer) to authenticated;

-- Runs the rules (all, or one) over the existing transactions: what the preview shows, applied.
-- Answers how many transactions changed.
create function private.apply_category_rules(org_id uuid, rule_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  change record;
  changed integer := 0;
begin
  perform private.require_org_role(org_id, 'member');
  perform set_config('westwallet.internal_operation', 'categorize', true);
  for change in select * from private.rule_changes(org_id, rule_id) loop
    update public.transactions t
    set category_id = change.new_category_id, vendor_id = change.new_vendor_id, notes = coalesce(t.notes, change.new_notes)
    where t.org_id = apply_category_rules.org_id and t.id = change.transaction_id;
    insert into public.transaction_categorizations
      (org_id, transaction_id, category_id, stage, confidence, reason, trail, applied, rule_id)
    select apply_category_rules.org_id, change.transaction_id, change.new_category_id, 'rule', 1, change.reason,
           change.trail, change.new_category_id is not null, change.matched_rule_id
    on conflict on constraint transaction_categorizations_pkey do update
      set category_id = excluded.category_id, stage = 'rule', confidence = 1, reason = excluded.reason,
          trail = excluded.trail, applied = excluded.applied, rule_id = excluded.rule_id, updated_at = now();
    perform private.add_rule_tags(apply_category_rules.org_id, change.transaction_id, change.add_tags);
    changed := changed + 1;
  end loop;
  perform set_config('westwallet.internal_operation', '', true);
  return changed;
end;
$$;

grant execute on function private.apply_category_rules(uuid, uuid) to authenticated;

create function public.apply_category_rules(org_id uuid, rule_id uuid default null)
returns integer
language sql
set search_path = ''
as $$
  select private.apply_category_rules(org_id, rule_id);
$$;

comment on function public.apply_category_rules is
  'Members run the rules (all, or one) over existing transactions, as preview_category_rules shows; answers how many changed.';

grant execute on function public.apply_category_rules(uuid, uuid) to authenticated;
