create function public.reinstate_organization(org_id uuid)
returns public.subscriptions
language sql
set search_path = ''
as $$
  select * from private.set_suspension(org_id, false, null);
$$;

comment on function public.reinstate_organization is 'Platform admins lift a suspension; the subscription state applies again.';

grant execute on function public.reinstate_organization(uuid) to authenticated;
