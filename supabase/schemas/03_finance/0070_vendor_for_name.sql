create or replace function private.vendor_for_name(org_id uuid, name text)
returns uuid
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  -- Normalized once, so the lookup below is one probe of the unique index.
  normalized text := private.normalize_vendor_name(vendor_for_name.name);
  found uuid;
begin
  select v.id into found from public.vendors v
  where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  if found is null then
    -- A name merged into another vendor keeps leading there (merge_vendors trashes the source
    -- with merged_into_id set); the merge chain ends at a live vendor or nowhere.
    with recursive chain (id, merged_into_id, deleted_at, depth) as (
      select v.id, v.merged_into_id, v.deleted_at, 0 from public.vendors v
      where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.merged_into_id is not null
      union all
      select v.id, v.merged_into_id, v.deleted_at, c.depth + 1 from chain c
      join public.vendors v on v.org_id = vendor_for_name.org_id and v.id = c.merged_into_id
      where c.deleted_at is not null and c.depth < 20
    )
    select c.id into found from chain c where c.deleted_at is null order by c.depth limit 1;
  end if;
  if found is null then
    insert into public.vendors (org_id, name) values (vendor_for_name.org_id, btrim(vendor_for_name.name))
    on conflict (org_id, normalized_name) where deleted_at is null do nothing
    returning id into found;
  end if;
  if found is null then -- another transaction created it just now
    select v.id into found from public.vendors v
    where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
  end if;
  return found;
end;
$$;

grant execute on function private.vendor_for_name(uuid, text) to authenticated, service_role;
