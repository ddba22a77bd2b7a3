create schema if not exists private;

create schema if not exists admin;

revoke all on schema private from public;

revoke all on schema admin from public, anon, authenticated;

grant usage on schema private to authenticated, service_role;

alter default privileges revoke execute on functions from public;

alter default privileges in schema public revoke execute on functions from anon, authenticated;

alter default privileges in schema public revoke all on tables from anon, authenticated;

alter default privileges in schema public revoke all on sequences from anon, authenticated;
