-- Whether every condition of a rule (see rule_conditions_problem) holds for a transaction.
-- Text comparisons ignore case; payee `is` compares as vendors are matched (normalized).
create function private.rule_matches(conditions jsonb, payee text, text text, amount_minor bigint, account_id uuid, kind text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
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
$$;

grant execute on function private.rule_matches(jsonb, text, text, bigint, uuid, text) to authenticated, service_role;
