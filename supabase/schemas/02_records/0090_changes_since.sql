create function private.changes_since(
  horizon xid8,
  after_xid xid8,
  after_id bigint,
  max_rows integer,
  only_org_id uuid
)
returns table (xid xid8, id bigint, org_id uuid, table_name text, record_id uuid, operation text)
language sql
stable
security definer
set search_path = ''
as $$
  select a.xid, a.id, a.org_id, a.table_name, a.record_id, a.operation
  from public.audit_log a
  where a.org_id = any ((select private.org_ids_with_role('viewer'))::uuid[])
    and (only_org_id is null or a.org_id = only_org_id)
    and a.xid >= horizon
    and (after_xid is null or (a.xid, a.id) > (after_xid, after_id))
    and a.table_name in (select t.table_name from private.tracked_tables t where t.shared_with_members)
  order by a.xid, a.id
  limit max_rows;
$$;

grant execute on function private.changes_since(xid8, xid8, bigint, integer, uuid) to authenticated;
