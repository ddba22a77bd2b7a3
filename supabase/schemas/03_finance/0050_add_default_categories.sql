-- Every new organization starts with the default tree in its language.
create function private.add_default_categories()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The creator becomes a member only after this row: say these writes are the database's own.
  perform set_config('westwallet.internal_operation', 'defaults', true);
  -- Parents first, so children can point at them by key.
  insert into public.categories (org_id, kind, key, name, icon, color, sort_order)
  select new.id, d.kind, d.key, d.name, d.icon, d.color, d.sort_order
  from private.default_categories(new.locale) d where d.parent_key is null;
  insert into public.categories (org_id, kind, parent_id, key, name, icon, color, sort_order)
  select new.id, d.kind, p.id, d.key, d.name, d.icon, d.color, d.sort_order
  from private.default_categories(new.locale) d
  join public.categories p on p.org_id = new.id and p.key = d.parent_key;
  perform set_config('westwallet.internal_operation', '', true);
  return null;
end;
$$;
