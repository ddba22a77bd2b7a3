-- Runs the cascade on every new expense and income (from the Data API or SQL; an import's commit
-- does the same for its rows set-based, private.commit_import_rows), after prepare_transaction
-- has found the vendor. Rules set category, vendor and notes; history and the merchant table set
-- the category when sure enough (0.5). A category given with the row is the writer's choice and
-- stays. The suggestion is recorded either way.
create function private.categorize_transaction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  given boolean := new.category_id is not null;
  suggestion record;
begin
  -- Transfers have no category; an import's commit writes its rows already categorized, set-based.
  if new.kind = 'transfer' or private.internal_operation() = 'import' then
    return new;
  end if;
  select * into suggestion
  from private.suggest_category(new.org_id, new.kind::text, new.counterparty, new.description, new.amount_minor,
                                new.account_id, rules_only => given);
  if not given and suggestion.category_id is not null and suggestion.confidence >= 0.5 then
    new.category_id := suggestion.category_id;
  end if;
  -- A rule's other actions apply whenever it fired, also when history or a merchant gave the category.
  if suggestion.rule_id is not null then
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
$$;
