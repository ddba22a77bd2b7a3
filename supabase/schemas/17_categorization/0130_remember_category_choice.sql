-- A person changed a transaction's category: from now on it is theirs and the categorizer never
-- overwrites it. When it replaces what the categorizer had chosen or suggested, the correction is
-- remembered (category_corrections), which the history stage then learns from and which offers a
-- rule once repeated (category_rule_offers). The categorizer's own writes say so through
-- private.internal_operation() = 'categorize'.
create function private.remember_category_choice()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
