create or replace function private.check_category()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  parent public.categories;
begin
  perform private.assert_org_writer(new.org_id, tg_table_name);
  -- Its children, transactions, split parts and budgets are of its kind: a kind changes only
  -- while nothing uses the category.
  if tg_op = 'UPDATE' and new.kind <> old.kind and private.category_in_use(new.org_id, new.id) then
    raise sqlstate 'PT409' using message = 'CATEGORY_IN_USE',
      detail = 'This category is in use: its kind stays. Create a category of the other kind instead.';
  end if;
  if new.parent_id is null then
    return new;
  end if;
  select * into parent from public.categories c where c.org_id = new.org_id and c.id = new.parent_id;
  if parent.id = new.id or parent.parent_id is not null or parent.kind <> new.kind then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A parent must be a top-level category of the same kind (expense or income).';
  end if;
  if tg_op = 'UPDATE' and exists (select from public.categories c
                                  where c.org_id = new.org_id and c.parent_id = new.id and c.deleted_at is null) then
    raise sqlstate 'PT400' using message = 'CATEGORY_PARENT_INVALID',
      detail = 'A category with children cannot become a child itself.';
  end if;
  return new;
end;
$$;

create trigger check_category before insert or update of parent_id, kind on public.categories
  for each row execute function private.check_category();
