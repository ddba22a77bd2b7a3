-- Payees a person corrected to the same category at least twice, with no rule that already sets
-- it: the app offers "always put <payee> in <category>?", a rule made with the payee condition
-- `{ "field": "payee", "op": "is", "value": payee_key }`.
create view public.category_rule_offers with (security_invoker = true) as
select c.org_id, c.payee_key, c.to_category_id as category_id, count(*)::integer as corrections,
       max(c.corrected_at) as last_corrected_at
from public.category_corrections c
where not exists (
  select from public.category_rules r
  where r.org_id = c.org_id and r.deleted_at is null and r.enabled and r.set_category_id = c.to_category_id
    and r.conditions @> jsonb_build_array(jsonb_build_object('field', 'payee', 'op', 'is', 'value', c.payee_key)))
group by c.org_id, c.payee_key, c.to_category_id
having count(*) >= 2;

comment on view public.category_rule_offers is
  'Payees corrected to one category at least twice without a rule for it: rules to offer.';

grant select on public.category_rule_offers to authenticated;

create trigger refuse_writes instead of insert or update or delete on public.category_rule_offers
  for each row execute function private.refuse_view_write('public.category_rules');
