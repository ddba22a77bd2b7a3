create function private.parse_reference(reference text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if reference is null or upper(btrim(reference)) !~ '^[A-Z][0-9]{6}$' or right(btrim(reference), 6) = '000000' then
    raise sqlstate 'PT400' using message = 'ID_FORMAT_INVALID',
      detail = format('%L is not a reference: one letter and six digits, like A000001.', reference);
  end if;
  return upper(btrim(reference));
end;
$$;

grant execute on function private.parse_reference(text) to authenticated;
