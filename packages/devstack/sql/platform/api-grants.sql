-- Stand-in for the grants a Supabase project's database gives the API roles: usage of `public`
-- and `graphql_public`, and default privileges on what is created in `public`. The local stack
-- applies this file only where `public` has no default privileges for service_role; grants
-- belong to each database, so a database created again (db:reset) gets them again.

-- As on the platform: the API roles may use public, and what is created there is granted to
-- them by default, so row-level security is what decides.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
create schema if not exists graphql_public;
grant usage on schema graphql_public to anon, authenticated, service_role;
