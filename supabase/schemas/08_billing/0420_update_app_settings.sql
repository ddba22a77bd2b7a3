create function private.update_app_settings(changes jsonb)
returns public.app_settings
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := private.require_platform_admin();
  editable text[] := array['trial_days', 'grace_days', 'max_file_size_bytes', 'max_members', 'trial_credits',
    'low_credit_threshold', 'notification_defaults'];
  unknown text;
  current_row public.app_settings;
  merged public.app_settings;
begin
  if jsonb_typeof(changes) is distinct from 'object' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'changes: an object of settings';
  end if;
  select string_agg(k, ', ') into unknown from jsonb_object_keys(changes) k where k <> all (editable);
  if unknown is not null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = format('not editable settings: %s', unknown);
  end if;
  select * into current_row from public.app_settings for update;
  merged := jsonb_populate_record(current_row, changes);
  update public.app_settings s set
    trial_days = merged.trial_days,
    grace_days = merged.grace_days,
    max_file_size_bytes = merged.max_file_size_bytes,
    max_members = merged.max_members,
    trial_credits = merged.trial_credits,
    low_credit_threshold = merged.low_credit_threshold,
    notification_defaults = merged.notification_defaults,
    updated_at = now(),
    updated_by = actor
  returning * into merged;
  return merged;
end;
$$;

grant execute on function private.update_app_settings(jsonb) to authenticated;

create function public.update_app_settings(changes jsonb)
returns public.app_settings
language sql
set search_path = ''
as $$
  select * from private.update_app_settings(changes);
$$;

comment on function public.update_app_settings is
  'Platform admins change settings: pass only the keys to change, e.g. {"trial_days": 14}.';

grant execute on function public.update_app_settings(jsonb) to authenticated;
