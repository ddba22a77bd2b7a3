-- The vendor a record names (transactions' counterparty, warranties' seller, insurances'
-- insurer): the vendor of the name as written, when the name is new or changed and no vendor
-- was chosen with it; otherwise the vendor it points at. `old_*`: before an update (null on insert).
create function private.named_vendor(org_id uuid, vendor_id uuid, written text, old_vendor_id uuid, old_written text)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  if nullif(btrim(written), '') is not null and written is distinct from old_written
     and vendor_id is not distinct from old_vendor_id then
    return private.vendor_for_name(org_id, written);
  end if;
  return vendor_id;
end;
$$;
