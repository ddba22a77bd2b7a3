-- When an export job succeeds, who asked for it (the owners, for a scheduled report) is mailed
-- a link to its page through the outbox, in the same transaction.
-- Touches: private.mail_outbox (template export_ready), private.mail_export_ready (new),
-- trigger jobs_mail_export_ready on public.jobs.

alter table "private"."mail_outbox" drop constraint "mail_outbox_template_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_template_check" CHECK ((template = ANY (ARRAY['invitation'::text, 'export_ready'::text]))) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_template_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.mail_export_ready()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE TRIGGER jobs_mail_export_ready AFTER UPDATE OF status ON public.jobs FOR EACH ROW WHEN (((new.status = 'succeeded'::job_status) AND (old.status IS DISTINCT FROM 'succeeded'::job_status) AND (new.kind = ANY (ARRAY['export.csv'::text, 'export.xlsx'::text, 'report.pdf'::text, 'export.backup'::text])))) EXECUTE FUNCTION private.mail_export_ready();

comment on function private.mail_export_ready() is 'Mails the export''s page to who asked for it (the owners, for a scheduled report) when an export job succeeds.';

revoke all on function private.mail_export_ready() from public, anon, authenticated, service_role;
