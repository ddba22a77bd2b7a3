create or replace function private.format_reference(n bigint)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return chr(65 + ((n - 1) / 999999)::integer) || lpad((((n - 1) % 999999) + 1)::text, 6, '0');
end;
$$;

grant execute on function private.format_reference(bigint) to authenticated;
