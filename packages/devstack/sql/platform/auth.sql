-- Completes @supabase/lite's `auth` schema (getAuthSchemaSql(true), run first in the same
-- transaction) into what Supabase Auth's migrations leave: the platform's auth.uid(),
-- auth.role(), auth.email() and auth.jwt(), the grants, and a trigger mending how lite writes
-- user metadata (listed with lite's other mends in packages/devstack/src/lite/index.ts). The
-- local stack applies lite's schema and this file only where auth.users is missing.

-- The platform's definitions, which read both the claims object and PostgREST's older per-claim
-- settings.
create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;
grant all on all tables in schema auth to supabase_auth_admin;

-- lite writes user metadata as a JSON string holding the object ('"{\"locale\": ...}"');
-- GoTrue writes the object itself, and triggers on auth.users (a new user's profile) read it so.
create or replace function auth.decode_lite_metadata() returns trigger language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(new.raw_user_meta_data) = 'string' then
    new.raw_user_meta_data := (new.raw_user_meta_data #>> '{}')::jsonb;
  end if;
  if jsonb_typeof(new.raw_app_meta_data) = 'string' then
    new.raw_app_meta_data := (new.raw_app_meta_data #>> '{}')::jsonb;
  end if;
  return new;
end;
$$;
create trigger decode_lite_metadata before insert or update on auth.users
  for each row execute function auth.decode_lite_metadata();
