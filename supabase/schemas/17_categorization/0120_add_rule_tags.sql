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

-- Once per inserting statement: only the few rows whose rules gave tags call add_rule_tags.
create function private.tag_categorized_transactions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tagged record;
begin
  for tagged in
    select n.org_id, n.id, array(
             select jsonb_array_elements_text(e -> 'add_tags')
             from jsonb_array_elements(c.trail) e
             where e ->> 'stage' = 'rule' and e ? 'add_tags') as tag_names
    from added_rows n
    join public.transaction_categorizations c on c.org_id = n.org_id and c.transaction_id = n.id
    where c.trail @? '$[*] ? (@.stage == "rule").add_tags[*]'
  loop
    perform private.add_rule_tags(tagged.org_id, tagged.id, tagged.tag_names);
  end loop;
  return null;
end;
$$;
