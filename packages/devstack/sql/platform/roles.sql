-- Stand-in for the roles every Supabase project has: the API roles PostgREST switches to
-- (anon, authenticated, service_role), the owners of the Auth and Storage schemas
-- (supabase_auth_admin, supabase_storage_admin), and `authenticator`, which PostgREST logs in as
-- before switching role. The local stack applies this file only where `authenticator` is
-- missing. Roles belong to the cluster, so a database created again (db:reset) finds them.

do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role', 'supabase_auth_admin', 'supabase_storage_admin'] loop
    if not exists (select from pg_roles where rolname = role_name) then
      execute format('create role %I nologin noinherit', role_name);
    end if;
  end loop;
  alter role service_role bypassrls;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
end
$$;
grant anon, authenticated, service_role to authenticator;
