create function private.can_receive_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- A user's own topic (their notifications, 15_notifications).
  if topic = 'user:' || auth.uid()::text then
    return true;
  end if;
  if topic is null or topic !~ '^org:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return private.has_org_role(substr(topic, 5)::uuid, 'viewer');
end;
$$;

grant execute on function private.can_receive_topic(text) to authenticated;
