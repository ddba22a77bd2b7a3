create function private.validate_profile()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  problems text[] := private.preferences_errors(new.preferences);
begin
  if cardinality(problems) > 0 then
    raise sqlstate 'PT400' using message = 'PREFERENCES_INVALID', detail = array_to_string(problems, '; ');
  end if;
  return new;
end;
$$;
