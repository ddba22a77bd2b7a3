-- The problems of a preferences value; empty when valid. Meant for a check constraint:
-- check (cardinality(private.preferences_errors(preferences)) = 0).
create function private.preferences_errors(preferences jsonb)
returns text[]
language sql
immutable
strict
set search_path = ''
as $$
  select private.json_schema_errors(private.profile_preferences_schema(), preferences)
$$;

comment on function private.preferences_errors(jsonb) is
  'Problems of a profile preferences value against private.profile_preferences_schema(); empty when valid.';

grant execute on function private.preferences_errors(jsonb) to authenticated, service_role;
