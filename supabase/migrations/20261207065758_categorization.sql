-- Categorization (issue 29): rules, history and a Nordic merchant table suggest and set the
-- category of every new transaction; people's choices are kept and their corrections remembered.
-- Touches: public.category_rules, transaction_categorizations, category_corrections (new),
-- category_rule_offers (view), private.nordic_merchants (new), triggers on public.transactions.

create type "public"."categorize_stage" as enum ('rule', 'history', 'merchant', 'llm', 'user');

create type "public"."rule_stage" as enum ('before', 'default', 'after');


  create table "private"."nordic_merchants" (
    "name" text not null,
    "normalized_name" text generated always as (private.normalize_vendor_name(name)) stored,
    "country" text not null,
    "category_key" text not null
      );



  create table "public"."category_corrections" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "transaction_id" uuid not null,
    "payee_key" text not null,
    "from_category_id" uuid,
    "from_stage" categorize_stage not null,
    "to_category_id" uuid not null,
    "corrected_by" uuid,
    "corrected_at" timestamp with time zone not null default now()
      );


alter table "public"."category_corrections" enable row level security;


  create table "public"."category_rules" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "name" text not null,
    "stage" rule_stage not null default 'default'::rule_stage,
    "position" integer not null default 0,
    "enabled" boolean not null default true,
    "conditions" jsonb not null,
    "set_category_id" uuid,
    "set_vendor_id" uuid,
    "add_tags" text[],
    "set_notes" text,
    "reference" text not null default ''::text,
    "created_at" timestamp with time zone not null default now(),
    "created_by" uuid default auth.uid(),
    "updated_at" timestamp with time zone not null default now(),
    "updated_by" uuid,
    "deleted_at" timestamp with time zone,
    "deleted_by" uuid
      );


alter table "public"."category_rules" enable row level security;


  create table "public"."transaction_categorizations" (
    "org_id" uuid not null,
    "transaction_id" uuid not null,
    "category_id" uuid,
    "stage" categorize_stage,
    "confidence" numeric(4,3),
    "reason" text,
    "trail" jsonb not null default '[]'::jsonb,
    "applied" boolean not null default false,
    "rule_id" uuid,
    "set_by" uuid,
    "updated_at" timestamp with time zone not null default now()
      );


alter table "public"."transaction_categorizations" enable row level security;

CREATE INDEX nordic_merchants_normalized_name_idx ON private.nordic_merchants USING btree (normalized_name);

CREATE UNIQUE INDEX nordic_merchants_pkey ON private.nordic_merchants USING btree (name);

CREATE INDEX category_corrections_org_id_payee_idx ON public.category_corrections USING btree (org_id, payee_key, to_category_id);

CREATE UNIQUE INDEX category_corrections_pkey ON public.category_corrections USING btree (id);

CREATE UNIQUE INDEX category_rules_org_id_id_key ON public.category_rules USING btree (org_id, id);

CREATE UNIQUE INDEX category_rules_org_id_reference_key ON public.category_rules USING btree (org_id, reference);

CREATE INDEX category_rules_org_id_stage_idx ON public.category_rules USING btree (org_id, stage, "position", created_at) WHERE ((deleted_at IS NULL) AND enabled);

CREATE INDEX category_rules_org_id_trash_idx ON public.category_rules USING btree (org_id, deleted_at) WHERE (deleted_at IS NOT NULL);

CREATE UNIQUE INDEX category_rules_pkey ON public.category_rules USING btree (id);

CREATE INDEX transaction_categorizations_org_id_stage_idx ON public.transaction_categorizations USING btree (org_id, stage);

CREATE UNIQUE INDEX transaction_categorizations_pkey ON public.transaction_categorizations USING btree (org_id, transaction_id);

alter table "private"."nordic_merchants" add constraint "nordic_merchants_pkey" PRIMARY KEY using index "nordic_merchants_pkey";

alter table "public"."category_corrections" add constraint "category_corrections_pkey" PRIMARY KEY using index "category_corrections_pkey";

alter table "public"."category_rules" add constraint "category_rules_pkey" PRIMARY KEY using index "category_rules_pkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_pkey" PRIMARY KEY using index "transaction_categorizations_pkey";

alter table "private"."nordic_merchants" add constraint "nordic_merchants_category_key_check" CHECK ((category_key ~ '^[a-z][a-z0-9_]{1,40}$'::text)) not valid;

alter table "private"."nordic_merchants" validate constraint "nordic_merchants_category_key_check";

alter table "private"."nordic_merchants" add constraint "nordic_merchants_country_check" CHECK ((country = ANY (ARRAY['SE'::text, 'NO'::text, 'DK'::text, 'FI'::text, 'NORDIC'::text]))) not valid;

alter table "private"."nordic_merchants" validate constraint "nordic_merchants_country_check";

alter table "public"."category_corrections" add constraint "category_corrections_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."category_corrections" validate constraint "category_corrections_org_id_fkey";

alter table "public"."category_corrections" add constraint "category_corrections_org_id_from_category_id_fkey" FOREIGN KEY (org_id, from_category_id) REFERENCES categories(org_id, id) ON DELETE SET NULL (from_category_id) not valid;

alter table "public"."category_corrections" validate constraint "category_corrections_org_id_from_category_id_fkey";

alter table "public"."category_corrections" add constraint "category_corrections_org_id_to_category_id_fkey" FOREIGN KEY (org_id, to_category_id) REFERENCES categories(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."category_corrections" validate constraint "category_corrections_org_id_to_category_id_fkey";

alter table "public"."category_corrections" add constraint "category_corrections_org_id_transaction_id_fkey" FOREIGN KEY (org_id, transaction_id) REFERENCES transactions(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."category_corrections" validate constraint "category_corrections_org_id_transaction_id_fkey";

alter table "public"."category_rules" add constraint "category_rules_add_tags_check" CHECK ((cardinality(add_tags) <= 10)) not valid;

alter table "public"."category_rules" validate constraint "category_rules_add_tags_check";

alter table "public"."category_rules" add constraint "category_rules_name_check" CHECK (private.name_is_valid(name, 120)) not valid;

alter table "public"."category_rules" validate constraint "category_rules_name_check";

alter table "public"."category_rules" add constraint "category_rules_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."category_rules" validate constraint "category_rules_org_id_fkey";

alter table "public"."category_rules" add constraint "category_rules_org_id_id_key" UNIQUE using index "category_rules_org_id_id_key";

alter table "public"."category_rules" add constraint "category_rules_org_id_reference_key" UNIQUE using index "category_rules_org_id_reference_key";

alter table "public"."category_rules" add constraint "category_rules_org_id_set_category_id_fkey" FOREIGN KEY (org_id, set_category_id) REFERENCES categories(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."category_rules" validate constraint "category_rules_org_id_set_category_id_fkey";

alter table "public"."category_rules" add constraint "category_rules_org_id_set_vendor_id_fkey" FOREIGN KEY (org_id, set_vendor_id) REFERENCES vendors(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."category_rules" validate constraint "category_rules_org_id_set_vendor_id_fkey";

alter table "public"."category_rules" add constraint "category_rules_position_check" CHECK ((("position" >= '-1000000'::integer) AND ("position" <= 1000000))) not valid;

alter table "public"."category_rules" validate constraint "category_rules_position_check";

alter table "public"."category_rules" add constraint "category_rules_reference_check" CHECK ((reference ~ '^[A-Z][0-9]{6}$'::text)) not valid;

alter table "public"."category_rules" validate constraint "category_rules_reference_check";

alter table "public"."category_rules" add constraint "category_rules_set_notes_check" CHECK (((char_length(set_notes) >= 1) AND (char_length(set_notes) <= 500))) not valid;

alter table "public"."category_rules" validate constraint "category_rules_set_notes_check";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_confidence_check" CHECK (((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_confidence_check";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_org_id_category_id_fkey" FOREIGN KEY (org_id, category_id) REFERENCES categories(org_id, id) ON DELETE SET NULL (category_id) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_org_id_category_id_fkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_org_id_fkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_org_id_rule_id_fkey" FOREIGN KEY (org_id, rule_id) REFERENCES category_rules(org_id, id) ON DELETE SET NULL (rule_id) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_org_id_rule_id_fkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_org_id_transaction_id_fkey" FOREIGN KEY (org_id, transaction_id) REFERENCES transactions(org_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_org_id_transaction_id_fkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_reason_check" CHECK ((char_length(reason) <= 500)) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_reason_check";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_trail_check" CHECK ((jsonb_typeof(trail) = 'array'::text)) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_trail_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.add_rule_tags(org_id uuid, transaction_id uuid, tag_names text[])
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if coalesce(cardinality(tag_names), 0) = 0 then
    return;
  end if;
  insert into public.tags (org_id, name)
  select distinct add_rule_tags.org_id, btrim(n) from unnest(tag_names) n
  where not exists (select from public.tags t where t.org_id = add_rule_tags.org_id and lower(t.name) = lower(btrim(n))
                    and t.deleted_at is null);
  insert into public.transaction_tags (org_id, transaction_id, tag_id)
  select add_rule_tags.org_id, add_rule_tags.transaction_id, t.id from public.tags t
  where t.org_id = add_rule_tags.org_id and t.deleted_at is null
    and lower(t.name) in (select lower(btrim(n)) from unnest(tag_names) n)
  on conflict do nothing;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.apply_category_rules(org_id uuid, rule_id uuid)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.categorize_transaction()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  given boolean := new.category_id is not null;
  suggestion record;
begin
  if new.kind = 'transfer' then
    return new;
  end if;
  select * into suggestion
  from private.suggest_category(new.org_id, new.kind::text, new.counterparty, new.description, new.amount_minor,
                                new.account_id, rules_only => given);
  if not given and suggestion.category_id is not null and suggestion.confidence >= 0.5 then
    new.category_id := suggestion.category_id;
  end if;
  if suggestion.stage = 'rule' then
    new.vendor_id := coalesce(suggestion.vendor_id, new.vendor_id);
    new.notes := coalesce(new.notes, suggestion.set_notes);
  end if;
  insert into public.transaction_categorizations
    (org_id, transaction_id, category_id, stage, confidence, reason, trail, applied, rule_id, set_by)
  values (new.org_id, new.id,
          case when given then new.category_id else suggestion.category_id end,
          case when given then 'user' else suggestion.stage end,
          case when given then 1 else suggestion.confidence end,
          case when given then 'set when the transaction was written' else suggestion.reason end,
          suggestion.trail,
          given or new.category_id is not null,
          suggestion.rule_id,
          case when given then auth.uid() end);
  return new;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.check_category_rule()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  problem text := private.rule_conditions_problem(new.conditions);
begin
  if problem is null and new.set_category_id is null and new.set_vendor_id is null
     and coalesce(cardinality(new.add_tags), 0) = 0 and new.set_notes is null then
    problem := 'actions: set at least one of set_category_id, set_vendor_id, add_tags, set_notes';
  end if;
  if problem is not null then
    raise sqlstate 'PT400' using message = 'RULE_INVALID', detail = problem;
  end if;
  return new;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.payee_key(counterparty text, description text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
  select private.normalize_vendor_name(coalesce(nullif(btrim(counterparty), ''), description));
$function$
;

CREATE OR REPLACE FUNCTION private.preview_category_rules(org_id uuid, rule_id uuid, max_rows integer)
 RETURNS TABLE(transaction_id uuid, reference text, booked_on date, counterparty text, description text, category_id uuid, new_category_id uuid, vendor_id uuid, new_vendor_id uuid, new_notes text, add_tags text[], reason text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.record_llm_suggestions(org_id uuid, answers jsonb, bar numeric)
 RETURNS TABLE(transaction_id uuid, applied boolean)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
#variable_conflict use_column
declare
  answer record;
  entry jsonb;
  done boolean;
begin
  perform set_config('westwallet.internal_operation', 'categorize', true);
  for answer in
    select a.transaction_id, c.id as category_id, a.confidence, a.reason
    from jsonb_to_recordset(answers) as a (transaction_id uuid, category_id uuid, confidence numeric, reason text)
    left join public.categories c on c.org_id = record_llm_suggestions.org_id and c.id = a.category_id and c.deleted_at is null
  loop
    entry := jsonb_build_object('stage', 'llm', 'category_id', answer.category_id,
                                'confidence', round(answer.confidence, 3), 'reason', answer.reason);
    update public.transactions t set category_id = answer.category_id
    where t.org_id = record_llm_suggestions.org_id and t.id = answer.transaction_id and t.category_id is null
      and answer.category_id is not null and answer.confidence >= bar and not t.is_split
      and exists (select from public.categories c where c.org_id = t.org_id and c.id = answer.category_id
                  and c.kind::text = t.kind::text);
    done := found;
    update public.transaction_categorizations tc
    set category_id = answer.category_id, stage = 'llm', confidence = round(answer.confidence, 3),
        reason = answer.reason, trail = tc.trail || entry, applied = done, updated_at = now()
    where tc.org_id = record_llm_suggestions.org_id and tc.transaction_id = answer.transaction_id
      and tc.stage is distinct from 'user';
    transaction_id := answer.transaction_id;
    applied := done;
    return next;
  end loop;
  perform set_config('westwallet.internal_operation', '', true);
end;
$function$
;

CREATE OR REPLACE FUNCTION private.remember_category_choice()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  previous public.transaction_categorizations;
begin
  if private.internal_operation() is not distinct from 'categorize' or new.kind = 'transfer' then
    return null;
  end if;
  select * into previous from public.transaction_categorizations c
  where c.org_id = new.org_id and c.transaction_id = new.id;
  if new.category_id is not null and previous.stage is not null and previous.stage <> 'user'
     and previous.category_id is distinct from new.category_id then
    insert into public.category_corrections
      (org_id, transaction_id, payee_key, from_category_id, from_stage, to_category_id, corrected_by)
    select new.org_id, new.id, k, previous.category_id, previous.stage, new.category_id, auth.uid()
    from private.payee_key(new.counterparty, new.description) k
    where k is not null;
  end if;
  insert into public.transaction_categorizations
    (org_id, transaction_id, category_id, stage, confidence, reason, applied, set_by)
  values (new.org_id, new.id, new.category_id, 'user', 1, 'set by a person', new.category_id is not null, auth.uid())
  on conflict (org_id, transaction_id) do update
    set category_id = excluded.category_id, stage = 'user', confidence = 1, reason = excluded.reason,
        applied = excluded.applied, set_by = excluded.set_by, rule_id = null, updated_at = now();
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.rule_changes(org_id uuid, rule_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(transaction_id uuid, category_id uuid, new_category_id uuid, vendor_id uuid, new_vendor_id uuid, new_notes text, add_tags text[], reason text, matched_rule_id uuid, trail jsonb)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.rule_conditions_problem(conditions jsonb)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
declare
  condition jsonb;
  field text;
  op text;
  given jsonb;
  item jsonb;
begin
  if jsonb_typeof(conditions) is distinct from 'array' or jsonb_array_length(conditions) not between 1 and 20 then
    return 'conditions: an array of 1 to 20 { field, op, value }';
  end if;
  for condition in select * from jsonb_array_elements(conditions) loop
    field := condition ->> 'field';
    op := condition ->> 'op';
    given := condition -> 'value';
    if jsonb_typeof(condition) <> 'object' or (select count(*) from jsonb_object_keys(condition)) <> 3 or given is null then
      return 'conditions: each is exactly { field, op, value }';
    end if;
    if field not in ('payee', 'text', 'amount', 'account', 'kind') or field is null then
      return format('conditions: field %s is not one of payee, text, amount, account, kind', coalesce(field, 'null'));
    end if;
    if op is null or op not in ('is', 'contains', 'matches', 'one_of', 'between')
       or (field in ('payee', 'text') and op = 'between')
       or (field = 'amount' and op in ('contains', 'matches'))
       or (field in ('account', 'kind') and op not in ('is', 'one_of')) then
      return format('conditions: %s cannot be compared with %s', field, coalesce(op, 'null'));
    end if;
    for item in
      select case when op = 'one_of' or op = 'between' then e else given end
      from jsonb_array_elements(case when jsonb_typeof(given) = 'array' then given else '[null]' end) e
    loop
      if (op in ('one_of', 'between')) <> (jsonb_typeof(given) = 'array') then
        return format('conditions: %s takes %s', op, case when op in ('one_of', 'between') then 'an array' else 'one value' end);
      end if;
      if field in ('payee', 'text') and (jsonb_typeof(item) <> 'string' or char_length(item #>> '{}') not between 1 and 200) then
        return format('conditions: %s takes text of 1 to 200 characters', field);
      elsif field = 'amount' and (jsonb_typeof(item) <> 'number' or (item #>> '{}') !~ '^[0-9]{1,15}$') then
        return 'conditions: amount takes whole minor units (0 to 15 digits)';
      elsif field = 'account' and (jsonb_typeof(item) <> 'string' or (item #>> '{}') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then
        return 'conditions: account takes account ids';
      elsif field = 'kind' and (item #>> '{}') is distinct from 'expense' and (item #>> '{}') is distinct from 'income' then
        return 'conditions: kind takes expense or income';
      end if;
    end loop;
    if op = 'between' and jsonb_array_length(given) <> 2 then
      return 'conditions: between takes [min, max]';
    end if;
    if op = 'one_of' and jsonb_array_length(given) not between 1 and 100 then
      return 'conditions: one_of takes 1 to 100 values';
    end if;
    if op = 'matches' then
      begin
        perform '' ~* (given #>> '{}');
      exception when invalid_regular_expression then
        return format('conditions: %s is not a valid regular expression', given #>> '{}');
      end;
    end if;
  end loop;
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.rule_matches(conditions jsonb, payee text, text text, amount_minor bigint, account_id uuid, kind text)
 RETURNS boolean
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
declare
  condition jsonb;
  subject text;
  given jsonb;
  op text;
  held boolean;
begin
  for condition in select * from jsonb_array_elements(conditions) loop
    op := condition ->> 'op';
    given := condition -> 'value';
    subject := case condition ->> 'field'
      when 'payee' then payee when 'text' then text when 'amount' then amount_minor::text
      when 'account' then account_id::text when 'kind' then kind end;
    if subject is null then
      return false;
    end if;
    held := case
      when condition ->> 'field' = 'amount' then case op
        when 'is' then amount_minor = (given #>> '{}')::bigint
        when 'one_of' then amount_minor in (select (e #>> '{}')::bigint from jsonb_array_elements(given) e)
        else amount_minor between (given ->> 0)::bigint and (given ->> 1)::bigint end
      when condition ->> 'field' = 'payee' and op = 'is' then
        private.normalize_vendor_name(subject) = private.normalize_vendor_name(given #>> '{}')
      when condition ->> 'field' = 'payee' and op = 'one_of' then
        private.normalize_vendor_name(subject) in (
          select private.normalize_vendor_name(e #>> '{}') from jsonb_array_elements(given) e)
      else case op
        when 'is' then lower(subject) = lower(given #>> '{}')
        when 'contains' then strpos(lower(subject), lower(given #>> '{}')) > 0
        when 'matches' then subject ~* (given #>> '{}')
        when 'one_of' then lower(subject) in (select lower(e #>> '{}') from jsonb_array_elements(given) e)
        else false end
    end;
    if not held then
      return false;
    end if;
  end loop;
  return true;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.suggest_categories(org_id uuid, transaction_ids uuid[])
 RETURNS TABLE(transaction_id uuid, kind text, counterparty text, description text, amount_minor bigint, currency text, category_id uuid, suggested_category_id uuid, stage categorize_stage, confidence numeric, reason text, trail jsonb)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.require_org_role(org_id, 'viewer');
  if cardinality(transaction_ids) > 500 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'transaction_ids: at most 500';
  end if;
  return query
  select t.id, t.kind::text, t.counterparty, t.description, t.amount_minor, t.currency, t.category_id,
         case when user_set then t.category_id when use_llm then tc.category_id else s.category_id end,
         case when user_set then 'user'::public.categorize_stage when use_llm then tc.stage else s.stage end,
         case when user_set then 1 when use_llm then tc.confidence else s.confidence end,
         case when user_set then coalesce(tc.reason, 'set by a person') when use_llm then tc.reason else s.reason end,
         case when use_llm then s.trail || (tc.trail -> -1) else s.trail end
  from public.transactions t
  left join public.transaction_categorizations tc on tc.org_id = t.org_id and tc.transaction_id = t.id
  cross join lateral private.suggest_category(t.org_id, t.kind::text, t.counterparty, t.description, t.amount_minor,
                                             t.account_id, transaction_id => t.id) s
  cross join lateral (select t.category_id is not null
                             and (tc.stage is null or tc.stage = 'user' or not tc.applied) as user_set) u
  cross join lateral (select not user_set and tc.stage = 'llm' and coalesce(s.confidence, 0) < 0.5 as use_llm) l
  where t.org_id = suggest_categories.org_id and t.id = any (transaction_ids) and t.deleted_at is null
    and t.kind <> 'transfer' and not t.is_split;
end;
$function$
;

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

  -- 2. The organization's history: the categories earlier transactions of this payee were given.
  select h.category_id, h.n, h.total into history
  from (
    select t.category_id, count(*) as n, sum(count(*)) over () as total
    from public.vendors v
    join public.transactions t on t.org_id = v.org_id and t.vendor_id = v.id
    where v.org_id = suggest_category.org_id and v.normalized_name = key and v.deleted_at is null
      and t.deleted_at is null and t.category_id is not null and not t.is_split and t.kind::text = suggest_category.kind
      and t.id is distinct from suggest_category.transaction_id
    group by t.category_id
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

  -- 3. The merchant table: the longest merchant name whose words appear in the payee's key.
  select m.name, c.id as category into merchant
  from private.nordic_merchants m
  join public.categories c on c.org_id = suggest_category.org_id and c.key = m.category_key and c.deleted_at is null
    and c.kind::text = suggest_category.kind
  where (' ' || key || ' ') like ('% ' || m.normalized_name || ' %')
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

CREATE OR REPLACE FUNCTION private.suggest_category_for_text(org_id uuid, text text, amount_minor bigint, kind text)
 RETURNS TABLE(suggested_category_id uuid, stage categorize_stage, confidence numeric, reason text, trail jsonb)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.require_org_role(org_id, 'viewer');
  if kind is null or kind not in ('expense', 'income') then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'kind: expense or income';
  end if;
  return query
  select s.category_id, s.stage, s.confidence, s.reason, s.trail
  from private.suggest_category(org_id, kind, text, text, amount_minor, null) s;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.tag_categorized_transaction()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.add_rule_tags(new.org_id, new.id, array(
    select jsonb_array_elements_text(e -> 'add_tags')
    from public.transaction_categorizations c, jsonb_array_elements(c.trail) e
    where c.org_id = new.org_id and c.transaction_id = new.id and e ->> 'stage' = 'rule' and e ? 'add_tags'));
  return null;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.apply_category_rules(org_id uuid, rule_id uuid DEFAULT NULL::uuid)
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select private.apply_category_rules(org_id, rule_id);
$function$
;

create or replace view "public"."category_rule_offers" with (security_invoker = true) as  SELECT org_id,
    payee_key,
    to_category_id AS category_id,
    (count(*))::integer AS corrections,
    max(corrected_at) AS last_corrected_at
   FROM category_corrections c
  WHERE (NOT (EXISTS ( SELECT
           FROM category_rules r
          WHERE ((r.org_id = c.org_id) AND (r.deleted_at IS NULL) AND r.enabled AND (r.set_category_id = c.to_category_id) AND (r.conditions @> jsonb_build_array(jsonb_build_object('field', 'payee', 'op', 'is', 'value', c.payee_key)))))))
  GROUP BY org_id, payee_key, to_category_id
 HAVING (count(*) >= 2);


CREATE OR REPLACE FUNCTION public.preview_category_rules(org_id uuid, rule_id uuid DEFAULT NULL::uuid, max_rows integer DEFAULT 500)
 RETURNS TABLE(transaction_id uuid, reference text, booked_on date, counterparty text, description text, category_id uuid, new_category_id uuid, vendor_id uuid, new_vendor_id uuid, new_notes text, add_tags text[], reason text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select * from private.preview_category_rules(org_id, rule_id, max_rows);
$function$
;

CREATE OR REPLACE FUNCTION public.suggest_categories(org_id uuid, transaction_ids uuid[])
 RETURNS TABLE(transaction_id uuid, kind text, counterparty text, description text, amount_minor bigint, currency text, category_id uuid, suggested_category_id uuid, stage categorize_stage, confidence numeric, reason text, trail jsonb)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select * from private.suggest_categories(org_id, transaction_ids);
$function$
;

CREATE OR REPLACE FUNCTION public.suggest_category_for_text(org_id uuid, text text, amount_minor bigint, kind text DEFAULT 'expense'::text)
 RETURNS TABLE(suggested_category_id uuid, stage categorize_stage, confidence numeric, reason text, trail jsonb)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select * from private.suggest_category_for_text(org_id, text, amount_minor, kind);
$function$
;

grant select on table "public"."category_corrections" to "authenticated";

grant delete on table "public"."category_corrections" to "service_role";

grant insert on table "public"."category_corrections" to "service_role";

grant references on table "public"."category_corrections" to "service_role";

grant select on table "public"."category_corrections" to "service_role";

grant trigger on table "public"."category_corrections" to "service_role";

grant truncate on table "public"."category_corrections" to "service_role";

grant update on table "public"."category_corrections" to "service_role";

grant delete on table "public"."category_rules" to "authenticated";

grant insert on table "public"."category_rules" to "authenticated";

grant select on table "public"."category_rules" to "authenticated";

grant update on table "public"."category_rules" to "authenticated";

grant delete on table "public"."category_rules" to "service_role";

grant insert on table "public"."category_rules" to "service_role";

grant references on table "public"."category_rules" to "service_role";

grant select on table "public"."category_rules" to "service_role";

grant trigger on table "public"."category_rules" to "service_role";

grant truncate on table "public"."category_rules" to "service_role";

grant update on table "public"."category_rules" to "service_role";

grant select on table "public"."transaction_categorizations" to "authenticated";

grant delete on table "public"."transaction_categorizations" to "service_role";

grant insert on table "public"."transaction_categorizations" to "service_role";

grant references on table "public"."transaction_categorizations" to "service_role";

grant select on table "public"."transaction_categorizations" to "service_role";

grant trigger on table "public"."transaction_categorizations" to "service_role";

grant truncate on table "public"."transaction_categorizations" to "service_role";

grant update on table "public"."transaction_categorizations" to "service_role";


  create policy "members read corrections"
  on "public"."category_corrections"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members add records"
  on "public"."category_rules"
  as permissive
  for insert
  to authenticated
with check ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members change live records"
  on "public"."category_rules"
  as permissive
  for update
  to authenticated
using (((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])) AND (deleted_at IS NULL)))
with check ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members delete live records"
  on "public"."category_rules"
  as permissive
  for delete
  to authenticated
using (((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])) AND (deleted_at IS NULL)));



  create policy "members read live records"
  on "public"."category_rules"
  as permissive
  for select
  to authenticated
using (((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])) AND (deleted_at IS NULL)));



  create policy "members read categorizations"
  on "public"."transaction_categorizations"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));


CREATE TRIGGER refuse_writes INSTEAD OF INSERT OR DELETE OR UPDATE ON public.category_rule_offers FOR EACH ROW EXECUTE FUNCTION private.refuse_view_write('public.category_rules');

CREATE TRIGGER check_category_rule BEFORE INSERT OR UPDATE ON public.category_rules FOR EACH ROW EXECUTE FUNCTION private.check_category_rule();

CREATE TRIGGER record_change AFTER INSERT OR DELETE OR UPDATE ON public.category_rules FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER stamp_record BEFORE INSERT OR UPDATE ON public.category_rules FOR EACH ROW EXECUTE FUNCTION private.stamp_record();

CREATE TRIGGER trash_instead_of_delete BEFORE DELETE ON public.category_rules FOR EACH ROW EXECUTE FUNCTION private.trash_instead_of_delete();

CREATE TRIGGER remember_category_choice AFTER UPDATE OF category_id ON public.transactions FOR EACH ROW WHEN ((old.category_id IS DISTINCT FROM new.category_id)) EXECUTE FUNCTION private.remember_category_choice();

CREATE TRIGGER suggest_category BEFORE INSERT ON public.transactions FOR EACH ROW EXECUTE FUNCTION private.categorize_transaction();

CREATE TRIGGER tag_categorized_transaction AFTER INSERT ON public.transactions FOR EACH ROW EXECUTE FUNCTION private.tag_categorized_transaction();

comment on function public.apply_category_rules(pg_catalog.uuid,pg_catalog.uuid) is 'Members run the rules (all, or one) over existing transactions, as preview_category_rules shows; answers how many changed.';
comment on function public.preview_category_rules(pg_catalog.uuid,pg_catalog.uuid,integer) is 'Members'' preview of what running the rules (all, or one) over existing transactions would change; categories people set stay.';
comment on function public.suggest_categories(pg_catalog.uuid,pg_catalog.uuid[]) is 'Members'' suggestions for transactions from rules, history and the merchant table (the LLM stage is ai-categorize''s).';
comment on function public.suggest_category_for_text(pg_catalog.uuid,pg_catalog.text,bigint,pg_catalog.text) is 'Members'' suggestion for a payee or statement text and an amount, before the transaction is saved.';
comment on column public.category_rules.reference is 'Human-readable reference, unique within the organization (A000001).';
comment on table private.nordic_merchants is 'Common Nordic merchants and chains and the default category they belong to: the categorizer''s merchant stage.';
comment on table public.category_corrections is 'Categories people changed after the categorizer chose or suggested another: the source of rule offers.';
comment on table public.category_rules is 'The organization''s categorization rules: conditions on payee, text, amount, account and kind, and the category, vendor, tags and notes they set; run on every new transaction (before, default, after stages).';
comment on table public.transaction_categorizations is 'The categorizer''s suggestion for each transaction (stage, confidence, reason, what every stage said) and whether a person set the category.';
comment on view public.category_rule_offers is 'Payees corrected to one category at least twice without a rule for it: rules to offer.';

revoke all on function private.add_rule_tags(uuid,uuid,text[]) from public, anon, authenticated, service_role;
revoke all on function private.apply_category_rules(uuid,uuid) from public, anon, authenticated, service_role;
grant execute on function private.apply_category_rules(uuid,uuid) to authenticated;
revoke all on function private.categorize_transaction() from public, anon, authenticated, service_role;
revoke all on function private.check_category_rule() from public, anon, authenticated, service_role;
revoke all on function private.payee_key(text,text) from public, anon, authenticated, service_role;
grant execute on function private.payee_key(text,text) to authenticated, service_role;
revoke all on function private.preview_category_rules(uuid,uuid,integer) from public, anon, authenticated, service_role;
grant execute on function private.preview_category_rules(uuid,uuid,integer) to authenticated;
revoke all on function private.record_llm_suggestions(uuid,jsonb,numeric) from public, anon, authenticated, service_role;
grant execute on function private.record_llm_suggestions(uuid,jsonb,numeric) to service_role;
revoke all on function private.remember_category_choice() from public, anon, authenticated, service_role;
revoke all on function private.rule_changes(uuid,uuid) from public, anon, authenticated, service_role;
revoke all on function private.rule_conditions_problem(jsonb) from public, anon, authenticated, service_role;
grant execute on function private.rule_conditions_problem(jsonb) to authenticated, service_role;
revoke all on function private.rule_matches(jsonb,text,text,bigint,uuid,text) from public, anon, authenticated, service_role;
grant execute on function private.rule_matches(jsonb,text,text,bigint,uuid,text) to authenticated, service_role;
revoke all on function private.suggest_categories(uuid,uuid[]) from public, anon, authenticated, service_role;
grant execute on function private.suggest_categories(uuid,uuid[]) to authenticated, service_role;
revoke all on function private.suggest_category(uuid,text,text,text,bigint,uuid,boolean,uuid,uuid) from public, anon, authenticated, service_role;
grant execute on function private.suggest_category(uuid,text,text,text,bigint,uuid,boolean,uuid,uuid) to service_role;
revoke all on function private.suggest_category_for_text(uuid,text,bigint,text) from public, anon, authenticated, service_role;
grant execute on function private.suggest_category_for_text(uuid,text,bigint,text) to authenticated, service_role;
revoke all on function private.tag_categorized_transaction() from public, anon, authenticated, service_role;
revoke all on function public.apply_category_rules(uuid,uuid) from public, anon, authenticated, service_role;
grant execute on function public.apply_category_rules(uuid,uuid) to authenticated, service_role;
revoke all on function public.preview_category_rules(uuid,uuid,integer) from public, anon, authenticated, service_role;
grant execute on function public.preview_category_rules(uuid,uuid,integer) to authenticated, service_role;
revoke all on function public.suggest_categories(uuid,uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.suggest_categories(uuid,uuid[]) to authenticated, service_role;
revoke all on function public.suggest_category_for_text(uuid,text,bigint,text) from public, anon, authenticated, service_role;
grant execute on function public.suggest_category_for_text(uuid,text,bigint,text) to authenticated, service_role;

grant select on table "public"."category_rule_offers" to "authenticated";

grant delete, insert, references, select, trigger, truncate, update on table "public"."category_rule_offers" to "service_role";
