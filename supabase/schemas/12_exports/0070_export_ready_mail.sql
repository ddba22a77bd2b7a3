-- "Your export is ready": when an export job succeeds, who asked for it, or for a scheduled report
-- the organization's owners, are told in the same transaction (so a finished export is always
-- told, once): in the app and by mail, on the channels of the export_ready notification kind.
-- The mail names the file and the day it is removed (the 7-day retention of
-- admin.expired_exports).
create function private.mail_export_ready()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  file_name text := regexp_replace(new.result ->> 'path', '^.*/', '');
begin
  -- A notification of kind export_ready (15_notifications): in the app and by mail, as each
  -- recipient chose.
  perform private.notify(
    'export_ready', new.org_id, file_name,
    jsonb_build_object('job_id', new.id, 'file_name', file_name, 'expires_at', new.finished_at + interval '7 days'),
    '{}',
    case when new.requested_by is not null then array[new.requested_by]
         else array(select m.user_id from public.memberships m where m.org_id = new.org_id and m.role = 'owner') end);
  return null;
end;
$$;

comment on function private.mail_export_ready() is
  'Tells who asked for an export (the owners, for a scheduled report) that it is ready: notification kind export_ready.';

create trigger jobs_mail_export_ready
  after update of status on public.jobs
  for each row
  when (new.status = 'succeeded' and old.status is distinct from 'succeeded'
        and new.kind in ('export.csv', 'export.xlsx', 'report.pdf', 'export.backup'))
  execute function private.mail_export_ready();
