-- Suggestions for the given transactions, computed now (history may have grown since they were
-- written): a category a person set is answered as stage `user`; an earlier LLM answer is kept
-- when the other stages are still unsure, so it is not paid for twice.
create function private.suggest_categories(org_id uuid, transaction_ids uuid[])
returns table (
  transaction_id uuid,
  kind text,
  counterparty text,
  description text,
  amount_minor bigint,
  currency text,
  category_id uuid,
  suggested_category_id uuid,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  trail jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.suggest_categories(uuid, uuid[]) to authenticated, service_role;

create function public.suggest_categories(org_id uuid, transaction_ids uuid[])
returns table (
  transaction_id uuid,
  kind text,
  counterparty text,
  description text,
  amount_minor bigint,
  currency text,
  category_id uuid,
  suggested_category_id uuid,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  trail jsonb
)
language sql
stable
set search_path = ''
as $$
  select * from private.suggest_categories(org_id, transaction_ids);
$$;

comment on function public.suggest_categories is
  'Members'' suggestions for transactions from rules, history and the merchant table (the LLM stage is ai-categorize''s).';

grant execute on function public.suggest_categories(uuid, uuid[]) to authenticated;

-- The same for a text (a payee or a line of a statement) and an amount, before anything is saved.
create function private.suggest_category_for_text(org_id uuid, text text, amount_minor bigint, kind text)
returns table (
  suggested_category_id uuid,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  trail jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  if kind is null or kind not in ('expense', 'income') then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'kind: expense or income';
  end if;
  return query
  select s.category_id, s.stage, s.confidence, s.reason, s.trail
  from private.suggest_category(org_id, kind, text, text, amount_minor, null) s;
end;
$$;

grant execute on function private.suggest_category_for_text(uuid, text, bigint, text) to authenticated, service_role;

create function public.suggest_category_for_text(org_id uuid, text text, amount_minor bigint, kind text default 'expense')
returns table (
  suggested_category_id uuid,
  stage public.categorize_stage,
  confidence numeric,
  reason text,
  trail jsonb
)
language sql
stable
set search_path = ''
as $$
  select * from private.suggest_category_for_text(org_id, text, amount_minor, kind);
$$;

comment on function public.suggest_category_for_text is
  'Members'' suggestion for a payee or statement text and an amount, before the transaction is saved.';

grant execute on function public.suggest_category_for_text(uuid, text, bigint, text) to authenticated;
