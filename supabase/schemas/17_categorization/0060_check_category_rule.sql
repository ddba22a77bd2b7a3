-- Refuses a rule whose conditions are malformed or which does nothing, with RULE_INVALID and what
-- is wrong, so a client gets a 400 it can show rather than a constraint name.
create function private.check_category_rule()
returns trigger
language plpgsql
set search_path = ''
as $$
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
$$;
