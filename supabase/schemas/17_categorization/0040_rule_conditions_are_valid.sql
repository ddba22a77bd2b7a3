-- A rule's conditions: a JSON array of { field, op, value }, all of which must hold.
--   field: payee | text | amount | account | kind
--   op:    is | contains | matches (a POSIX regular expression, case-insensitive) | one_of | between
-- payee and text take is, contains, matches, one_of (strings); amount (minor units, as stored:
-- always positive) takes is, one_of, between ([min, max]); account (uuid) and kind take is, one_of.
-- Answers null when valid, else what is wrong (for the RULE_INVALID detail).
create function private.rule_conditions_problem(conditions jsonb)
returns text
language plpgsql
immutable
set search_path = ''
as $$
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
$$;

grant execute on function private.rule_conditions_problem(jsonb) to authenticated, service_role;
