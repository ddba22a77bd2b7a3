create or replace function private.normalize_vendor_name(name text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return nullif(btrim(regexp_replace(
    regexp_replace(
      regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g'),
      ' (ab|hb|kb|as|asa|a s|aps|ap s|oy|oyj|ab oy|gmbh|ag|kg|ug|ltd|limited|inc|llc|plc|bv|nv|sa)$', ''),
    '\s+', ' ', 'g')), '');
end;
$$;

grant execute on function private.normalize_vendor_name(text) to authenticated, service_role;
