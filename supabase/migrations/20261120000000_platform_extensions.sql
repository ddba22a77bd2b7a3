-- Platform extensions the backend builds on: pg_cron (schedules), pg_net (HTTP from SQL after
-- commit), pgmq (job queues) and supabase_vault (secrets).
--
-- On hosted Supabase (and `supabase start`) each is created here. Our Docker-free local stack has
-- none of them available; it provides stand-ins with the same SQL API before migrations run, so
-- every create is guarded by pg_available_extensions and everything after uses the API as is.
-- Touches: extensions only.

do $$
begin
  if exists (select from pg_available_extensions where name = 'pg_cron') then
    -- Supabase's documented form: the extension's objects live in schema cron.
    create extension if not exists pg_cron with schema pg_catalog;
    grant usage on schema cron to postgres;
    grant all privileges on all tables in schema cron to postgres;
  end if;
  if exists (select from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
  if exists (select from pg_available_extensions where name = 'pgmq') then
    create extension if not exists pgmq;
  end if;
  if exists (select from pg_available_extensions where name = 'supabase_vault') then
    create extension if not exists supabase_vault with schema vault;
  end if;
end
$$;
