-- Security invoker: each probe reads as the caller, so RLS decides what is found.
create function public.find_by_reference(org_id uuid, reference text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  normalized text := private.parse_reference(reference);
  tracked record;
  found_record jsonb;
begin
  if not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  for tracked in select t.table_name from private.tracked_tables t where t.is_record order by t.table_name loop
    execute format('select to_jsonb(r) from public.%I r where r.org_id = $1 and r.reference = $2', tracked.table_name)
      into found_record using org_id, normalized;
    if found_record is not null then
      return jsonb_build_object('table', tracked.table_name, 'id', found_record ->> 'id', 'record', found_record);
    end if;
  end loop;
  raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No record %s in this organization.', normalized);
end;
$$;

comment on function public.find_by_reference is 'The record with this reference (A000001) in the organization, with its table.';

grant execute on function public.find_by_reference(uuid, text) to authenticated;
