-- The categorizer's history stage counts a payee's newest 100 categorized transactions, read in
-- index order, not all of them: 131 -> 1.0 ms a suggestion for a payee of 47,000 transactions.
-- Touches: private.suggest_category.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.suggest_category(org_id uuid, kind text, payee text, text text, amount_minor bigint, account_id uuid, rules_only boolean DEFAULT false, only_rule_id uuid DEFAULT NULL::uuid, transaction_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(category_id uuid, vendor_id uuid, add_tags text[], set_notes text, stage categorize_stage, confidence numeric, reason text, rule_id uuid, trail jsonb)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
#variable_conflict use_variable
declare
  key text := private.payee_key(payee, text);
  rule record;
  fired text[] := '{}';
  history record;
  merchant record;
begin
  trail := '[]';
  add_tags := '{}';
  -- 1. Rules, in stage order; a later rule's action replaces an earlier one's.
  for rule in
    select r.id, r.name, r.conditions, r.set_vendor_id, r.add_tags, r.set_notes,
           case when c.kind::text = suggest_category.kind then c.id end as category
    from public.category_rules r
    left join public.categories c on c.org_id = r.org_id and c.id = r.set_category_id and c.deleted_at is null
    where r.org_id = suggest_category.org_id and r.deleted_at is null and r.enabled
      and (only_rule_id is null or r.id = only_rule_id)
    order by r.stage, r.position, r.created_at, r.id
  loop
    if private.rule_matches(rule.conditions, payee, text, amount_minor, account_id, kind) then
      fired := fired || rule.name;
      category_id := coalesce(rule.category, category_id);
      vendor_id := coalesce(rule.set_vendor_id, vendor_id);
      add_tags := add_tags || coalesce(rule.add_tags, '{}');
      set_notes := coalesce(rule.set_notes, set_notes);
      rule_id := rule.id;
    end if;
  end loop;
  if cardinality(fired) > 0 then
    stage := 'rule';
    confidence := 1;
    reason := format('rule %s', array_to_string(array(select format('"%s"', f) from unnest(fired) f), ', '));
    trail := trail || jsonb_build_object('stage', 'rule', 'category_id', category_id, 'confidence', 1,
                                         'reason', reason, 'add_tags', to_jsonb(add_tags));
  else
    trail := trail || jsonb_build_object('stage', 'rule', 'category_id', null, 'reason', 'no rule matched');
  end if;
  if rules_only or category_id is not null or key is null then
    return next;
    return;
  end if;

  -- 2. The organization's history: the categories the payee's newest 100 earlier transactions
  -- were given. Newest, because a household that changes how it files a payee means the new way;
  -- 100, because counting every one made a payee's history cost what its rows cost: 119 ms an
  -- insert for a payee of 47,000 transactions in the million-row company, 1 ms for 100
  -- (read newest first through transactions_org_id_vendor_idx).
  select h.category_id, h.n, h.total into history
  from (
    select r.category_id, count(*) as n, sum(count(*)) over () as total
    from (
      select t.category_id
      from public.transactions t
      where t.org_id = suggest_category.org_id
        -- The vendor first, as a value: joined, the planner sorted all the payee's rows.
        and t.vendor_id = (select v.id from public.vendors v
                           where v.org_id = suggest_category.org_id and v.normalized_name = key and v.deleted_at is null)
        and t.deleted_at is null and t.category_id is not null and not t.is_split and t.kind::text = suggest_category.kind
        and t.id is distinct from suggest_category.transaction_id
      order by t.booked_on desc
      limit 100
    ) r
    group by r.category_id
  ) h
  order by h.n desc, h.category_id
  limit 1;
  if found then
    -- Counts as confidence, shrunk for few examples: 1 of 1 is 0.5, 4 of 4 is 0.8, 9 of 10 is 0.82.
    confidence := round(history.n::numeric / (history.total + 1), 3);
    reason := format('%s of %s earlier transactions of "%s" had this category', history.n, history.total, key);
    trail := trail || jsonb_build_object('stage', 'history', 'category_id', history.category_id,
                                         'confidence', confidence, 'reason', reason);
    if confidence >= 0.5 then
      category_id := history.category_id;
      stage := 'history';
      return next;
      return;
    end if;
  else
    trail := trail || jsonb_build_object('stage', 'history', 'category_id', null, 'reason', 'no earlier transaction of this payee');
  end if;

  -- 3. The merchant table: the longest merchant name whose words appear in the payee's key. The
  -- key's runs of up to six words (a merchant name has at most six) are looked up by name, a
  -- few index probes; the LIKE of every merchant against the key this replaces took 0.2 ms a
  -- transaction, most of the cascade's cost in an import (bench/README.md, Imports).
  with matched as materialized (
    select m.name, m.normalized_name, m.category_key from private.nordic_merchants m
    where m.normalized_name = any (array(
      select array_to_string(w[first:last], ' ')
      from string_to_array(key, ' ') w,
           generate_series(1, cardinality(w)) first,
           generate_series(first, least(first + 5, cardinality(w))) last))
  )
  select m.name, c.id as category into merchant
  from matched m
  join public.categories c on c.org_id = suggest_category.org_id and c.key = m.category_key and c.deleted_at is null
    and c.kind::text = suggest_category.kind
  order by char_length(m.normalized_name) desc, m.name
  limit 1;
  if found then
    trail := trail || jsonb_build_object('stage', 'merchant', 'category_id', merchant.category,
                                         'confidence', 0.8, 'reason', format('known merchant "%s"', merchant.name));
    category_id := merchant.category;
    stage := 'merchant';
    confidence := 0.8;
    reason := format('known merchant "%s"', merchant.name);
  elsif history.category_id is not null then
    -- Only a weak history answer: offered, not applied.
    category_id := history.category_id;
    stage := 'history';
    trail := trail || jsonb_build_object('stage', 'merchant', 'category_id', null, 'reason', 'no known merchant');
  else
    confidence := null;
    reason := null;
    trail := trail || jsonb_build_object('stage', 'merchant', 'category_id', null, 'reason', 'no known merchant');
  end if;
  return next;
end;
$function$
;
