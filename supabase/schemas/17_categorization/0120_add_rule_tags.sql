-- Tags the rules gave a transaction (recorded in the rule stage of its trail), once the
-- transaction's row exists: tags are created on first use.
create function private.add_rule_tags(org_id uuid, transaction_id uuid, tag_names text[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

create function private.tag_categorized_transaction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.add_rule_tags(new.org_id, new.id, array(
    select jsonb_array_elements_text(e -> 'add_tags')
    from public.transaction_categorizations c, jsonb_array_elements(c.trail) e
    where c.org_id = new.org_id and c.transaction_id = new.id and e ->> 'stage' = 'rule' and e ? 'add_tags'));
  return null;
end;
$$;
