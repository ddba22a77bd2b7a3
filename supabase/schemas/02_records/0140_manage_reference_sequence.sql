create or replace function private.manage_reference_sequence()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    execute format('create sequence %s as bigint minvalue 1 no cycle', private.reference_sequence(new.id));
  else
    execute format('drop sequence if exists %s', private.reference_sequence(old.id));
  end if;
  return null;
end;
$$;
