create function private.name_is_valid(name text, max_length integer)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if name is not null and (private.visible_text(name) is null or char_length(name) > max_length) then
    raise sqlstate 'PT400' using message = 'NAME_INVALID',
      detail = format('A name shows at least one character and has at most %s.', max_length);
  end if;
  return true;
end;
$$;

comment on function private.name_is_valid(text, integer) is
  'True for a name (or null) with a visible character and at most max_length characters; raises NAME_INVALID otherwise.';

grant execute on function private.name_is_valid(text, integer) to authenticated, service_role;
