create function private.set_suspension(org_id uuid, suspended boolean, reason text)
returns public.subscriptions
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed public.subscriptions;
begin
  perform private.require_platform_admin();
  if suspended and nullif(btrim(reason), '') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'reason: say why the organization is suspended';
  end if;
  update public.subscriptions s set
    suspended_at = case when suspended then coalesce(s.suspended_at, now()) end,
    suspended_reason = case when suspended then btrim(reason) end
  where s.org_id = set_suspension.org_id
  returning * into changed;
  if changed.id is null then
    raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
  end if;
  return changed;
end;
$$;

grant execute on function private.set_suspension(uuid, boolean, text) to authenticated;
