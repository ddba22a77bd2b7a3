create function public.leave_organization(org_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.remove_member(org_id, auth.uid());
$$;

comment on function public.leave_organization is 'The caller leaves the organization; the last owner must transfer ownership first.';

grant execute on function public.leave_organization(uuid) to authenticated;
