-- An id field that may come as the id or as the expanded object.
create function private.stripe_id(value jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case jsonb_typeof(value) when 'string' then value #>> '{}' when 'object' then value ->> 'id' end;
$$;
