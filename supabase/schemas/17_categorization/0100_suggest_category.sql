-- The cascade without the LLM, for many transactions (or texts and amounts) at once: the
-- organization's rules, then its own history of the payee, then the built-in merchant table.
-- Answers, per ask (`n`, its place in the arrays), the winning suggestion and what every stage
-- said (`trail`). Rules apply outright (confidence 1); history and the merchant table are applied
-- by the caller when `confidence` reaches 0.5, which history reaches from the first earlier
-- transaction of the payee.
-- Set-based, so that a writer of many transactions (an import's step) pays the history and
-- merchant lookups once per distinct payee and kind in one statement: one call per row cost
-- 0.33 ms even with no rule and no history, half of an imported row's cost (bench/README.md).
-- `rules_only`: the transaction already has its category; only the rules' other actions matter.
-- `transaction_ids`: the transactions asked about, which their own history leaves out.
create function private.category_suggestions(
  org_id uuid,
  kinds text[],
  payees text[],
  texts text[],
  amounts bigint[],
  account_ids uuid[],
  rules_only boolean[],
  only_rule_id uuid default null,
  transaction_ids uuid[] default null
)
returns table (
  n bigint,
  category_id uuid,
  vendor_id uuid,
  add_tags text[],
  set_notes text,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  rule_id uuid,
  trail jsonb
)
language plpgsql
stable
set search_path = ''
-- One plan for every call, made once a session: planning the statement costs about 2 ms, more
-- than a typed transaction's whole cascade, and Postgres kept planning it afresh for single asks.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  -- (A series, not unnest: in the plan cached for all calls, unnest of a parameter is guessed at
  -- 10 asks, and with that guess the planner compared every ask with every answer below.)
  with ask as (
    select a.n, a.kind, a.payee, a.text, a.amount_minor, a.account_id, a.rules_only, a.transaction_id,
           coalesce(a.transaction_id, '00000000-0000-0000-0000-000000000000') as transaction_key,
           private.payee_key(a.payee, a.text) as key
    from (
      select i::bigint as n, kinds[i] as kind, payees[i] as payee, texts[i] as text, amounts[i] as amount_minor,
             account_ids[i] as account_id, coalesce(category_suggestions.rules_only[i], false) as rules_only,
             transaction_ids[i] as transaction_id
      from generate_series(1, cardinality(kinds)) i
    ) a
  ),
  -- 1. Rules, in stage order; a later rule's action replaces an earlier one's.
  rule as (
    select r.id, r.name, r.conditions, r.set_vendor_id, r.add_tags, r.set_notes, c.id as category_id,
           c.kind::text as category_kind,
           row_number() over (order by r.stage, r.position, r.created_at, r.id) as ord
    from public.category_rules r
    left join public.categories c on c.org_id = r.org_id and c.id = r.set_category_id and c.deleted_at is null
    where r.org_id = category_suggestions.org_id and r.deleted_at is null and r.enabled
      and (only_rule_id is null or r.id = only_rule_id)
  ),
  fired as (
    select a.n, r.ord, r.id, r.name, r.set_vendor_id, r.add_tags, r.set_notes,
           case when r.category_kind = a.kind then r.category_id end as category_id
    from ask a
    join rule r on private.rule_matches(r.conditions, a.payee, a.text, a.amount_minor, a.account_id, a.kind)
  ),
  by_rules as (
    select f.n,
           (array_agg(f.category_id order by f.ord desc) filter (where f.category_id is not null))[1] as category_id,
           (array_agg(f.set_vendor_id order by f.ord desc) filter (where f.set_vendor_id is not null))[1] as vendor_id,
           (array_agg(f.set_notes order by f.ord desc) filter (where f.set_notes is not null))[1] as set_notes,
           (array_agg(f.id order by f.ord desc))[1] as rule_id,
           format('rule %s', string_agg(format('"%s"', f.name), ', ' order by f.ord)) as reason,
           array(select t.tag from fired g, unnest(g.add_tags) with ordinality as t(tag, j)
                 where g.n = f.n order by g.ord, t.j) as add_tags
    from fired f
    group by f.n
  ),
  -- 2. and 3. for the asks the rules left without a category, once per payee and kind.
  -- (`not exists`, not a left join's `is null`: the planner then expects most asks to go on.)
  asking as (
    select a.*, not a.rules_only and a.key is not null
                and not exists (select from by_rules b where b.n = a.n and b.category_id is not null) as asks_payee
    from ask a
  ),
  payee_ask as (
    select distinct a.kind, a.key, a.transaction_key
    from asking a
    where a.asks_payee
  ),
  -- 3. The merchant table: the longest merchant name whose words appear in the payee's key. The
  -- key's runs of up to six words (a merchant name has at most six) are looked up by name; the
  -- LIKE of every merchant against the key this replaces took 0.2 ms a transaction.
  -- (Materialized: the names first, then their categories; planned together, the categories of
  -- each kind were joined to every key before a run was looked up.)
  named_merchant as materialized (
    select p.kind, p.key, m.name, m.normalized_name, m.category_key
    from (select distinct x.kind, x.key from payee_ask x) p
    -- (A constant series, so that the planner expects a few runs a key, not a million.)
    cross join lateral (
      select array_to_string(w.words[f.first:f.first + n.more], ' ') as run
      from string_to_array(p.key, ' ') as w(words)
      cross join unnest(w.words) with ordinality as f(word, first)
      cross join generate_series(0, 5) as n(more)
      where f.first + n.more <= cardinality(w.words)
    ) runs
    join private.nordic_merchants m on m.normalized_name = runs.run
  ),
  merchant as (
    select distinct on (m.kind, m.key) m.kind, m.key, m.name, c.id as category_id
    from named_merchant m
    join public.categories c on c.org_id = category_suggestions.org_id and c.key = m.category_key
      and c.deleted_at is null and c.kind::text = m.kind
    order by m.kind, m.key, char_length(m.normalized_name) desc, m.name
  ),
  by_payee as (
    select p.kind, p.key, p.transaction_key, h.category_id as history_category_id,
           round(h.n::numeric / (h.total + 1), 3) as history_confidence,
           format('%s of %s earlier transactions of "%s" had this category', h.n, h.total, p.key) as history_reason,
           m.name as merchant_name, m.category_id as merchant_category_id
    from payee_ask p
    -- 2. The organization's history: the categories the payee's newest 100 earlier transactions
    -- were given. Newest, because a household that changes how it files a payee means the new
    -- way; 100, because counting every one made a payee's history cost what its rows cost:
    -- 119 ms an insert for a payee of 47,000 transactions in the million-row company, 1 ms for
    -- 100 (read newest first through transactions_org_id_vendor_idx).
    left join lateral (
      select r.category_id, count(*) as n, sum(count(*)) over () as total
      from (
        select t.category_id
        from public.transactions t
        where t.org_id = category_suggestions.org_id
          -- The vendor first, as a value: joined, the planner sorted all the payee's rows.
          and t.vendor_id = (select v.id from public.vendors v
                             where v.org_id = category_suggestions.org_id and v.normalized_name = p.key
                               and v.deleted_at is null)
          and t.deleted_at is null and t.category_id is not null and not t.is_split and t.kind::text = p.kind
          and t.id <> p.transaction_key
        order by t.booked_on desc
        limit 100
      ) r
      group by r.category_id
      order by count(*) desc, r.category_id
      limit 1
    ) h on true
    left join merchant m on m.kind = p.kind and m.key = p.key
  ),
  -- Which stage answered: a rule's category; else history when sure; else a known merchant;
  -- else history's weak answer (offered, not applied); else a rule that set no category.
  answer as (
    select a.n, b.n is not null as fired, b.category_id as rule_category_id, b.vendor_id, b.set_notes, b.rule_id,
           b.reason as rule_reason, b.add_tags, p.kind is not null as asked_payee, p.history_category_id,
           p.history_confidence, p.history_reason, p.merchant_name, p.merchant_category_id,
           case when b.category_id is not null then 'rule'
                when p.history_confidence >= 0.5 then 'history'
                when p.merchant_category_id is not null then 'merchant'
                when p.history_category_id is not null then 'history'
                when b.n is not null then 'rule' end::public.categorize_stage as stage
    from asking a
    left join by_rules b on b.n = a.n
    -- Joined on equalities only (the transaction as a value, never null), so by hash: with the
    -- asks' other conditions here, the planner compared every ask with every answer.
    left join by_payee p on p.kind = a.kind and p.key = a.key and p.transaction_key = a.transaction_key
      and a.asks_payee
  )
  select x.n,
         case x.stage when 'rule' then x.rule_category_id when 'merchant' then x.merchant_category_id
                      when 'history' then x.history_category_id end,
         x.vendor_id,
         coalesce(x.add_tags, '{}'),
         x.set_notes,
         x.stage,
         case when x.stage = 'rule' then 1 when x.stage = 'merchant' then 0.8 else x.history_confidence end,
         case x.stage when 'rule' then x.rule_reason
                      when 'merchant' then format('known merchant "%s"', x.merchant_name)
                      when 'history' then x.history_reason end,
         x.rule_id,
         jsonb_build_array(
           case when x.fired then jsonb_build_object('stage', 'rule', 'category_id', x.rule_category_id, 'confidence', 1,
                                                     'reason', x.rule_reason, 'add_tags', to_jsonb(x.add_tags))
                else jsonb_build_object('stage', 'rule', 'category_id', null, 'reason', 'no rule matched') end)
         || case when not x.asked_payee then '[]'::jsonb
                 when x.history_category_id is null then
                   jsonb_build_array(jsonb_build_object('stage', 'history', 'category_id', null,
                                                        'reason', 'no earlier transaction of this payee'))
                 else jsonb_build_array(jsonb_build_object('stage', 'history', 'category_id', x.history_category_id,
                                                           'confidence', x.history_confidence,
                                                           'reason', x.history_reason)) end
         || case when not x.asked_payee or x.history_confidence >= 0.5 then '[]'::jsonb
                 when x.merchant_category_id is null then
                   jsonb_build_array(jsonb_build_object('stage', 'merchant', 'category_id', null,
                                                        'reason', 'no known merchant'))
                 else jsonb_build_array(jsonb_build_object('stage', 'merchant', 'category_id', x.merchant_category_id,
                                                           'confidence', 0.8,
                                                           'reason', format('known merchant "%s"', x.merchant_name))) end
  from answer x
  order by x.n;
end;
$$;

grant execute on function private.category_suggestions(uuid, text[], text[], text[], bigint[], uuid[], boolean[], uuid, uuid[])
  to service_role;

-- The cascade for one transaction (or a text and an amount).
create function private.suggest_category(
  org_id uuid,
  kind text,
  payee text,
  text text,
  amount_minor bigint,
  account_id uuid,
  rules_only boolean default false,
  only_rule_id uuid default null,
  transaction_id uuid default null
)
returns table (
  category_id uuid,
  vendor_id uuid,
  add_tags text[],
  set_notes text,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  rule_id uuid,
  trail jsonb
)
language sql
stable
set search_path = ''
as $$
  select s.category_id, s.vendor_id, s.add_tags, s.set_notes, s.stage, s.confidence, s.reason, s.rule_id, s.trail
  from private.category_suggestions(org_id, array[kind], array[payee], array[text], array[amount_minor],
                                    array[account_id], array[rules_only], only_rule_id, array[transaction_id]) s;
$$;

grant execute on function private.suggest_category(uuid, text, text, text, bigint, uuid, boolean, uuid, uuid) to service_role;
