-- Schemas and the default privileges every later migration relies on.
--
-- `private` holds helpers, trigger functions and internal tables; `admin` holds views and
-- functions for operators in the SQL editor. Neither is exposed through the Data API
-- (config.toml's [api] schemas). The API roles may use `private` because row-level security
-- policies call its helpers as the querying role; they still see nothing there they are not
-- granted one object at a time.
--
-- Deny by default: Postgres lets PUBLIC execute every new function, and the platform grants
-- anon and authenticated everything created in `public`. From here on a function or table is
-- reachable by a browser only through the grant that follows it. service_role (edge functions,
-- trusted servers) keeps the platform's defaults.
-- Touches: schemas private and admin; default privileges of the migration role.

create schema if not exists private;
create schema if not exists admin;

revoke all on schema private from public;
revoke all on schema admin from public, anon, authenticated;
grant usage on schema private to authenticated, service_role;

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
