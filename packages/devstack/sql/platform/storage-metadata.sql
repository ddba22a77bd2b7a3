-- Mends how @supabase/lite writes an object's metadata (listed with lite's other mends in
-- packages/devstack/src/lite/index.ts). Like user metadata, lite writes it as a JSON string
-- holding the object; the Storage API writes the object itself ({ size, mimetype, ... }), which
-- policies and triggers read. The local stack applies this file only to lite's storage schema
-- (storage.objects without the real Storage API's storage.migrations table) that lacks the
-- trigger, including one created before the trigger existed.

create or replace function storage.decode_lite_metadata() returns trigger language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(new.metadata) = 'string' then
    new.metadata := (new.metadata #>> '{}')::jsonb;
  end if;
  if jsonb_typeof(new.user_metadata) = 'string' then
    new.user_metadata := (new.user_metadata #>> '{}')::jsonb;
  end if;
  return new;
end;
$$;
create trigger decode_lite_metadata before insert or update on storage.objects
  for each row execute function storage.decode_lite_metadata();
