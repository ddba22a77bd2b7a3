-- Settings of a read-only organization stay as they are.
create function private.guard_organization_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_good_standing(new.id);
  return new;
end;
$$;
