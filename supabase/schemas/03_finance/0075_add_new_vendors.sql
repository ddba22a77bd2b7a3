-- Vendors for many names at once, for writers of many transactions (an import's step): one
-- insert for every name no vendor has ever had, so prepare_transaction then finds each by name
-- instead of creating them one statement at a time (with their audit row and broadcast each).
-- Names a vendor has or had (merged away) are left to vendor_for_name, which follows merges.
create function private.add_new_vendors(org_id uuid, names text[])
returns integer
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  added integer;
begin
  -- Each name normalized once: an import's 100,000 rows name a few thousand payees.
  insert into public.vendors (org_id, name)
  select distinct on (n.normalized) add_new_vendors.org_id, n.name
  from (select btrim(x) as name, private.normalize_vendor_name(x) as normalized
        from (select distinct x from unnest(names) x) d) n
  where n.normalized is not null
    and not exists (select from public.vendors v
                    where v.org_id = add_new_vendors.org_id and v.normalized_name = n.normalized
                      and (v.deleted_at is null or v.merged_into_id is not null))
  order by n.normalized, n.name
  on conflict (org_id, normalized_name) where deleted_at is null do nothing;
  get diagnostics added = row_count;
  return added;
end;
$$;

comment on function private.add_new_vendors(uuid, text[]) is
  'Creates, in one statement, a vendor for each name that no vendor of the organization has or had; answers how many.';
