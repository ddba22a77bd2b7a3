create function public.suspend_organization(org_id uuid, reason text)
returns public.subscriptions
language sql
set search_path = ''
as $$
  select * from private.set_suspension(org_id, true, reason);
$$;

comment on function public.suspend_organization is 'Platform admins make an organization read-only, with a reason.';

grant execute on function public.suspend_organization(uuid, text) to authenticated;
