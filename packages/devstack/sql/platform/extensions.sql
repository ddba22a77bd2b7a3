-- Stand-in for the `extensions` schema of a Supabase project, with the extensions it has
-- installed there from the start (pgcrypto, uuid-ossp, pg_stat_statements). The local stack
-- applies this file only where the `extensions` schema is missing.

create schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
