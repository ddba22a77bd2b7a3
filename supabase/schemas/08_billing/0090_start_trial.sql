-- A new organization starts its trial; existing ones start theirs now, so no deploy locks anyone out.
create function private.start_trial()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.subscriptions (org_id, trial_started_at, trial_ends_at)
  select new.id, now(), now() + make_interval(days => s.trial_days) from public.app_settings s;
  return null;
end;
$$;
