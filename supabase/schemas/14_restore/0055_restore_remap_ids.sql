-- The ids inside a restored JSON value: a categorization's trail names categories, a rule's
-- conditions may name an account. Every string in it that is an old id of the restore
-- (pg_temp.restore_ids, filled by private.restore_organization) becomes the new one, so the value
-- points where it pointed in the backup. Ids are matched as whole JSON strings only.
create or replace function private.restore_remap_ids(doc jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  remapped text := doc::text;
  candidate text;
  mapped uuid;
begin
  for candidate in
    select distinct m[1]
    from regexp_matches(remapped, '"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"', 'g') m
  loop
    select i.new_id into mapped from pg_temp.restore_ids i where i.old_id = candidate::uuid;
    if found then
      remapped := replace(remapped, format('"%s"', candidate), format('"%s"', mapped));
    end if;
  end loop;
  return remapped::jsonb;
end;
$$;

comment on function private.restore_remap_ids is 'A restored JSON value with the old ids in it replaced by their new ones.';
