create function private.delete_category(category_id uuid, move_to uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  doomed public.categories;
  target public.categories;
  gone uuid[];
  ref record;
begin
  select * into doomed from public.categories c where c.id = category_id and c.deleted_at is null
    and c.org_id = any (private.org_ids_with_role('viewer'));
  if doomed.id is null then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No live category %s in your organizations.', category_id);
  end if;
  perform private.require_org_role(doomed.org_id, 'member');
  -- The category and its subcategories go; whatever used them moves to `move_to`.
  select array_agg(c.id) into gone from public.categories c
  where c.org_id = doomed.org_id and (c.id = doomed.id or c.parent_id = doomed.id) and c.deleted_at is null;
  if move_to is not null then
    select * into target from public.categories c where c.org_id = doomed.org_id and c.id = move_to and c.deleted_at is null;
    if target.id is null or target.id = any (gone) or target.kind <> doomed.kind then
      raise sqlstate 'PT400' using message = 'CATEGORY_KIND_MISMATCH',
        detail = 'move_to: a live category of the same kind, outside the one being deleted.';
    end if;
    for ref in select * from private.tenant_references('public.categories') r where r.table_name <> 'public.categories'::regclass loop
      execute format('update %s set %I = $1 where org_id = $2 and %I = any ($3)', ref.table_name, ref.column_name, ref.column_name)
        using target.id, doomed.org_id, gone;
    end loop;
  end if;
  -- Children first: then neither is in use by the other.
  delete from public.categories c where c.org_id = doomed.org_id and c.parent_id = doomed.id and c.deleted_at is null;
  delete from public.categories c where c.id = doomed.id;
end;
$$;

grant execute on function private.delete_category(uuid, uuid) to authenticated;

create function public.delete_category(category_id uuid, move_to uuid default null)
returns void
language sql
set search_path = ''
as $$
  select private.delete_category(category_id, move_to);
$$;

comment on function public.delete_category is
  'Moves the category (with its subcategories) to the trash; what used them (transactions, split parts, contracts, budgets aside) moves to move_to. Refused with CATEGORY_IN_USE without move_to while in use.';

grant execute on function public.delete_category(uuid, uuid) to authenticated;
