create function private.merge_vendors(source_id uuid, target_id uuid)
returns public.vendors
language plpgsql
security definer
set search_path = ''
as $$
declare
  source public.vendors;
  target public.vendors;
  ref record;
begin
  select * into source from public.vendors v where v.id = source_id and v.deleted_at is null
    and v.org_id = any (private.org_ids_with_role('viewer'));
  select * into target from public.vendors v where v.id = target_id and v.deleted_at is null
    and v.org_id = any (private.org_ids_with_role('viewer'));
  if source.id is null or target.id is null or source.id = target.id or source.org_id <> target.org_id then
    raise sqlstate 'PT400' using message = 'VENDOR_MERGE_INVALID',
      detail = 'Name two different live vendors of one of your organizations.';
  end if;
  perform private.require_org_role(source.org_id, 'member');
  for ref in select * from private.tenant_references('public.vendors') r where r.column_name <> 'merged_into_id' loop
    execute format('update %s set %I = $1 where org_id = $2 and %I = $3', ref.table_name, ref.column_name, ref.column_name)
      using target.id, source.org_id, source.id;
  end loop;
  -- Fill what the target lacks from the source; keep the source in the trash, pointing at the target.
  update public.vendors v set
    organization_number = coalesce(v.organization_number, source.organization_number),
    website = coalesce(v.website, source.website),
    default_category_id = coalesce(v.default_category_id, source.default_category_id)
  where v.id = target.id
  returning * into target;
  update public.vendors v set merged_into_id = target.id where v.id = source.id;
  delete from public.vendors v where v.id = source.id;
  return target;
end;
$$;

grant execute on function private.merge_vendors(uuid, uuid) to authenticated;

create function public.merge_vendors(source_id uuid, target_id uuid)
returns public.vendors
language sql
set search_path = ''
as $$
  select * from private.merge_vendors(source_id, target_id);
$$;

comment on function public.merge_vendors is
  'Merges source into target: its transactions, contracts and everything else that names it follow; the source goes to the trash.';

grant execute on function public.merge_vendors(uuid, uuid) to authenticated;
