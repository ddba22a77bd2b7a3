create or replace function private.next_reference(org_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  sequence regclass := to_regclass(private.reference_sequence(org_id));
  n bigint;
begin
  if sequence is null then
    if not exists (select from public.organizations o where o.id = next_reference.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    raise sqlstate 'PT500' using message = 'ID_SEQUENCE_FAILED',
      detail = format('Organization %s has no reference sequence.', org_id);
  end if;
  n := nextval(sequence);
  if n > 25999974 then
    raise sqlstate 'PT500' using message = 'ID_SEQUENCE_FAILED',
      detail = format('Organization %s has used all its references, A000001 to Z999999.', org_id);
  end if;
  return private.format_reference(n);
end;
$$;

grant execute on function private.next_reference(uuid) to authenticated;

grant execute on function private.next_reference(uuid) to service_role;
