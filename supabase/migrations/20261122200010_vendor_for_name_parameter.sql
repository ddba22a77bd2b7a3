-- private.vendor_for_name() as landed in 20261122000100 fails on every call ("column reference
-- name is ambiguous": its parameters `name` and `org_id` against the columns of vendors, also in
-- the on-conflict target). Warranties and insurances find their seller and insurer with it, so
-- this makes column names win where unqualified; it replaces the function only
-- while the ambiguous body is the one installed, so once main fixes it this migration does nothing.
-- Touches: private.vendor_for_name.

do $do$
begin
  if exists (select from pg_catalog.pg_proc p
             where p.oid = 'private.vendor_for_name(uuid, text)'::regprocedure
               and p.prosrc like '%private.normalize_vendor_name(name)%') then
    create or replace function private.vendor_for_name(org_id uuid, name text)
    returns uuid
    language plpgsql
    set search_path = ''
    as $$
    #variable_conflict use_column
    declare
      found uuid;
      normalized text := private.normalize_vendor_name(vendor_for_name.name);
    begin
      select v.id into found from public.vendors v
      where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
      if found is null then
        insert into public.vendors (org_id, name) values (vendor_for_name.org_id, btrim(vendor_for_name.name))
        on conflict (org_id, normalized_name) where deleted_at is null do nothing
        returning id into found;
      end if;
      if found is null then -- another transaction created it just now
        select v.id into found from public.vendors v
        where v.org_id = vendor_for_name.org_id and v.normalized_name = normalized and v.deleted_at is null;
      end if;
      return found;
    end;
    $$;
  end if;
end;
$do$;
