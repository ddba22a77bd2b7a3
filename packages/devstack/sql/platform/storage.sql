-- Completes @supabase/lite's `storage` schema (getStorageSchemaSql(true), run first in the
-- same transaction) with the grants Supabase Storage gives the API roles and its admin role.
-- The local stack applies lite's schema and this file only where storage.objects is missing.

grant usage on schema storage to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on all tables in schema storage to supabase_storage_admin;
