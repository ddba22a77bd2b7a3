-- Imports: a staged row is in its batch's currency, and the database says so. The set-based
-- commit (20261207170448) writes each row's account amount as its own amount, where the per-row
-- trigger used to refuse a currency the account does not keep; the preview stages only entries
-- in the account's currency, but nothing below it held that. A foreign key (org_id, batch_id,
-- currency) to the batch replaces the one on (org_id, batch_id) and the one to currencies (the
-- batch's currency references them): one key check a staged row instead of two. Also simpler,
-- same results: the rules' tags in category_suggestions, the categorization rows of the commit.
-- Touches: public.import_batches (a unique key), public.import_rows (foreign keys), functions
-- private.category_suggestions and private.commit_import_rows; no data.

alter table "public"."import_rows" drop constraint "import_rows_currency_fkey";

alter table "public"."import_rows" drop constraint "import_rows_org_id_batch_id_fkey";

CREATE UNIQUE INDEX import_batches_org_id_id_currency_key ON public.import_batches USING btree (org_id, id, currency);

alter table "public"."import_batches" add constraint "import_batches_org_id_id_currency_key" UNIQUE using index "import_batches_org_id_id_currency_key";

alter table "public"."import_rows" add constraint "import_rows_org_id_batch_id_currency_fkey" FOREIGN KEY (org_id, batch_id, currency) REFERENCES import_batches(org_id, id, currency) ON DELETE CASCADE not valid;

alter table "public"."import_rows" validate constraint "import_rows_org_id_batch_id_currency_fkey";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.category_suggestions(org_id uuid, kinds text[], payees text[], texts text[], amounts bigint[], account_ids uuid[], rules_only boolean[], only_rule_id uuid DEFAULT NULL::uuid, transaction_ids uuid[] DEFAULT NULL::uuid[])
 RETURNS TABLE(n bigint, category_id uuid, vendor_id uuid, add_tags text[], set_notes text, stage categorize_stage, confidence numeric, reason text, rule_id uuid, trail jsonb)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.commit_import_rows(batch_id uuid, max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  batch public.import_batches;
  uid uuid := auth.uid();
  refusal text;
  org_currency text;
  account_currency text;
  written integer;
begin
  -- Shared: an undo (which locks the batch for update) waits for this write, and the next one
  -- finds the batch undone.
  select * into batch from public.import_batches b where b.id = commit_import_rows.batch_id for share;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status <> 'committing' then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('The batch is %s, not being committed.', batch.status);
  end if;
  refusal := private.write_refusal(batch.org_id);
  if refusal is not null then
    perform private.raise_write_refusal(refusal);
  end if;
  select o.base_currency, a.currency into org_currency, account_currency
  from public.organizations o
  join public.accounts a on a.org_id = o.id and a.id = batch.account_id
  where o.id = batch.org_id;
  -- The rows were staged in the account's currency; an account without transactions may have
  -- changed it since.
  if account_currency is distinct from batch.currency then
    raise sqlstate 'PT400' using message = 'IMPORT_CURRENCY_MISMATCH',
      detail = format('The account is in %s now; the batch was previewed in %s.', account_currency, batch.currency);
  end if;
  -- The step's new payees become vendors in one statement, before the rows that name them.
  perform private.add_new_vendors(batch.org_id, array(
    select r.counterparty from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
    order by r.line
    limit max_rows));

  perform set_config('westwallet.internal_operation', 'import', true);
  -- Rows in file order, each written once: a row with its transaction is done, so a step that
  -- runs again after a lost checkpoint writes nothing twice.
  with locked as (
    select r.id, r.line, r.booked_on, r.amount_minor, r.currency, r.counterparty, r.text, r.bank_reference
    from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
    order by r.line
    limit max_rows
    for update
  ),
  picked as (
    select l.id, gen_random_uuid() as transaction_id, row_number() over (order by l.line) as n,
           (case when l.amount_minor < 0 then 'expense' else 'income' end) as kind,
           l.booked_on, abs(l.amount_minor) as amount_minor, l.currency, l.counterparty, l.text, l.bank_reference
    from locked l
  ),
  -- The vendor as prepare_transaction finds it: the live one of the payee's name, or where a
  -- merge led (add_new_vendors above created the rest).
  vendored as (
    select p.*, dc.id as default_category_id
    from (
      select p.*, coalesce(v.id, case when nullif(btrim(p.counterparty), '') is not null
                                      then private.vendor_for_name(batch.org_id, p.counterparty) end) as vendor_id
      from picked p
      left join public.vendors v on v.org_id = batch.org_id
        and v.normalized_name = private.normalize_vendor_name(p.counterparty) and v.deleted_at is null
    ) p
    left join public.vendors x on x.org_id = batch.org_id and x.id = p.vendor_id
    left join public.categories dc on dc.org_id = batch.org_id and dc.id = x.default_category_id
      and dc.deleted_at is null and dc.kind::text = p.kind
  ),
  -- The cascade, once for the step; a vendor's default category is the writer's choice and stays.
  suggested as (
    select s.*
    from (
      select array_agg(v.kind order by v.n) as kinds, array_agg(v.counterparty order by v.n) as payees,
             array_agg(v.text order by v.n) as texts, array_agg(v.amount_minor order by v.n) as amounts,
             array_agg(batch.account_id order by v.n) as account_ids,
             array_agg(v.default_category_id is not null order by v.n) as rules_only
      from vendored v
    ) a
    cross join lateral private.category_suggestions(batch.org_id, a.kinds, a.payees, a.texts, a.amounts,
                                                    a.account_ids, a.rules_only) s
  ),
  prepared as (
    select v.*, s.stage, s.confidence, s.reason, s.trail, s.rule_id, s.set_notes,
           coalesce(s.vendor_id, v.vendor_id) as final_vendor_id,
           coalesce(v.default_category_id,
                    case when s.confidence >= 0.5 then s.category_id end) as category_id,
           s.category_id as suggested_category_id,
           fx.fx_rate, fx.base_minor
    from vendored v
    join suggested s on s.n = v.n
    cross join lateral (
      select 1::numeric as fx_rate, v.amount_minor as base_minor where v.currency = org_currency
      union all
      select b.fx_rate, b.base_minor
      from private.to_base(batch.org_id, v.amount_minor, v.currency, v.booked_on, null, null, null, null) b
      where v.currency <> org_currency
    ) fx
  ),
  written_rows as (
    insert into public.transactions (id, org_id, kind, booked_on, amount_minor, currency, fx_rate, base_amount_minor,
                                     account_id, account_amount_minor, vendor_id, counterparty, category_id,
                                     description, notes, is_split, import_batch_id, bank_reference, reference,
                                     created_at, created_by, updated_at, updated_by)
    select p.transaction_id, batch.org_id, p.kind::public.transaction_kind, p.booked_on, p.amount_minor, p.currency,
           p.fx_rate, p.base_minor, batch.account_id, p.amount_minor, p.final_vendor_id, p.counterparty, p.category_id,
           p.text, p.set_notes, false, batch.id, p.bank_reference, private.next_reference(batch.org_id),
           now(), uid, now(), uid
    from prepared p
    order by p.booked_on, p.n
    returning id
  ),
  -- What the cascade said, as categorize_transaction records it for a typed transaction.
  recorded as (
    insert into public.transaction_categorizations
      (org_id, transaction_id, category_id, stage, confidence, reason, trail, applied, rule_id, set_by)
    select batch.org_id, p.transaction_id, coalesce(p.default_category_id, p.suggested_category_id),
           case when p.default_category_id is not null then 'user' else p.stage end,
           case when p.default_category_id is not null then 1 else p.confidence end,
           case when p.default_category_id is not null then 'set when the transaction was written' else p.reason end,
           p.trail,
           p.category_id is not null,
           p.rule_id,
           case when p.default_category_id is not null then uid end
    from prepared p
  )
  update public.import_rows r set transaction_id = p.transaction_id
  from picked p join written_rows w on w.id = p.transaction_id
  where r.org_id = batch.org_id and r.id = p.id;
  get diagnostics written = row_count;
  perform set_config('westwallet.internal_operation', '', true);
  return written;
end;
$function$
;
