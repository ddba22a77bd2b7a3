-- "Your export is ready": when an export job succeeds, its file's page is mailed to who asked for
-- it, or for a scheduled report to the organization's owners, in the outbox of the same
-- transaction (so a finished export always gets its mail, once). The mail names the file and the
-- day it is removed (the 7-day retention of admin.expired_exports).
create function private.mail_export_ready()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  organization public.organizations;
  recipient record;
begin
  select * into organization from public.organizations o where o.id = new.org_id;
  for recipient in
    select u.email, coalesce(p.locale, organization.locale) as locale
    from auth.users u
    left join public.profiles p on p.user_id = u.id
    where u.email_confirmed_at is not null
      and (u.id = new.requested_by
           or (new.requested_by is null
               and u.id in (select m.user_id from public.memberships m where m.org_id = new.org_id and m.role = 'owner')))
  loop
    perform private.enqueue_mail(
      'export_ready',
      recipient.email,
      recipient.locale,
      jsonb_build_object(
        'job_id', new.id,
        'organization', organization.name,
        'file_name', regexp_replace(new.result ->> 'path', '^.*/', ''),
        'expires_at', new.finished_at + interval '7 days'
      ),
      new.org_id
    );
  end loop;
  return null;
end;
$$;

comment on function private.mail_export_ready() is
  'Mails the export''s page to who asked for it (the owners, for a scheduled report) when an export job succeeds.';

create trigger jobs_mail_export_ready
  after update of status on public.jobs
  for each row
  when (new.status = 'succeeded' and old.status is distinct from 'succeeded'
        and new.kind in ('export.csv', 'export.xlsx', 'report.pdf', 'export.backup'))
  execute function private.mail_export_ready();
