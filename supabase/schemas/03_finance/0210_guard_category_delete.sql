-- Deleting a category straight away works only while nothing uses it.
create function private.guard_category_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Purging and deleting the organization go ahead: nothing is left to point at it then.
  if private.internal_operation() is distinct from 'purge' and old.deleted_at is null
     and exists (select from public.organizations o where o.id = old.org_id)
     and private.category_in_use(old.org_id, old.id) then
    raise sqlstate 'PT409' using message = 'CATEGORY_IN_USE',
      detail = 'Transactions or other records use this category (or it has subcategories): delete it with delete_category(id, move_to).';
  end if;
  return old;
end;
$$;
