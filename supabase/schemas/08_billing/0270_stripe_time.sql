create function private.stripe_time(value jsonb)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(value) = 'number' then to_timestamp((value #>> '{}')::bigint) end;
$$;
