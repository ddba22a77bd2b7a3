create function private.category_in_use(org_id uuid, category_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  ref record;
  used boolean;
begin
  for ref in select * from private.tenant_references('public.categories') loop
    -- Children count only while live; everything else counts in the trash too (it may come back).
    execute format('select exists (select from %s where org_id = $1 and %I = $2 %s)', ref.table_name, ref.column_name,
                   case when ref.table_name = 'public.categories'::regclass then 'and deleted_at is null' else '' end)
      into used using org_id, category_id;
    if used then
      return true;
    end if;
  end loop;
  return false;
end;
$$;
