create or replace function private.require_good_standing(org_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if nullif(current_setting('request.jwt.claims', true), '') is not null then
    perform private.raise_write_refusal(private.write_refusal(org_id));
  end if;
end;
$$;

grant execute on function private.require_good_standing(uuid) to authenticated, service_role;
