create or replace function private.reference_sequence(org_id uuid)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return 'private.' || quote_ident('reference_seq_' || replace(org_id::text, '-', ''));
end;
$$;

grant execute on function private.reference_sequence(uuid) to authenticated;
