-- The most members the organization's plan allows (app_settings.max_members without a plan limit).
create function private.member_limit(org_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(p.max_members, a.max_members)
  from public.app_settings a
  left join public.subscriptions s on s.org_id = member_limit.org_id
  left join public.plans p on p.id = s.plan_id;
$$;
