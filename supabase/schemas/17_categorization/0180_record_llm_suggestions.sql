-- ai-categorize records the model's answers: [{ transaction_id, category_id, confidence, reason }]
-- (category_id null for "don't know"). Applied as the category when at least `bar` sure and the
-- transaction has none; never over a person's choice. Answers which were applied.
create function private.record_llm_suggestions(org_id uuid, answers jsonb, bar numeric)
returns table (transaction_id uuid, applied boolean)
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

grant execute on function private.record_llm_suggestions(uuid, jsonb, numeric) to service_role;
