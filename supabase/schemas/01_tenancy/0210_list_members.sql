create function private.list_members(org_id uuid)
returns table (user_id uuid, role public.org_role, display_name text, email text, joined_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  return query
    select m.user_id, m.role, p.display_name, u.email::text, m.created_at
    from public.memberships m
    join auth.users u on u.id = m.user_id
    left join public.profiles p on p.user_id = m.user_id
    where m.org_id = list_members.org_id
    order by m.role desc, p.display_name, m.user_id;
end;
$$;

grant execute on function private.list_members(uuid) to authenticated;

create function public.list_members(org_id uuid)
returns table (user_id uuid, role public.org_role, display_name text, email text, joined_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select * from private.list_members(org_id);
$$;

comment on function public.list_members is 'The members of an organization with their names and emails; any member may call it.';

grant execute on function public.list_members(uuid) to authenticated;
