-- The record contract's write path, as in 20261121000400_record_contract.sql plus the standing
-- check (before a reference is used up). Every record table calls these two.
create or replace function private.stamp_record()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- Row-level security checks the new row only after this trigger: refuse a foreign
    -- organization here, before a reference of it is used up (sequences never roll back).
    if auth.uid() is not null and row_security_active(tg_relid)
       and not private.has_org_role(new.org_id, 'member') then
      raise sqlstate '42501' using
        message = format('new row violates row-level security policy for table "%s"', tg_table_name);
    end if;
    perform private.require_good_standing(new.org_id);
    new.reference := private.next_reference(new.org_id);
    new.created_at := now();
    new.created_by := auth.uid();
    new.updated_at := now();
    new.updated_by := auth.uid();
    new.deleted_at := null;
    new.deleted_by := null;
    return new;
  end if;
  if (new.id, new.org_id, new.reference, new.created_at, new.created_by)
     is distinct from (old.id, old.org_id, old.reference, old.created_at, old.created_by)
     or ((new.deleted_at, new.deleted_by) is distinct from (old.deleted_at, old.deleted_by)
         and private.internal_operation() is null) then
    raise sqlstate 'PT400' using message = 'READ_ONLY_COLUMN',
      detail = 'id, org_id, reference, created_* and deleted_* are set by the database; delete and restore move records in and out of the trash.';
  end if;
  -- Moving to the trash was checked by trash_instead_of_delete already.
  if private.internal_operation() is distinct from 'trash' then
    perform private.require_good_standing(new.org_id);
  end if;
  new.updated_at := now();
  new.updated_by := auth.uid();
  return new;
end;
$$;
