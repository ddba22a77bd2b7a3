-- Anomalies become notifications: the first time the insights function stores one, its members
-- are told (kind anomaly_found: in the app, by email in the weekly digest) and it is marked
-- notified. Touches: private.notification_kinds (anomaly_found), private.notify_anomaly,
-- public.insight_anomalies (trigger notify_anomaly).

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.notify_anomaly()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  item text;
begin
  -- What it concerns, by name: the category, vendor or contract, else its month or day.
  select coalesce(
    (select c.name from public.categories c where c.org_id = new.org_id and c.id = new.category_id),
    (select v.name from public.vendors v where v.org_id = new.org_id and v.id = new.vendor_id),
    (select k.name from public.contracts k where k.org_id = new.org_id and k.id = new.contract_id),
    new.concerns_on::text)
  into item;
  perform private.notify('anomaly_found', new.org_id, item,
    jsonb_build_object('anomaly_id', new.id, 'kind', new.kind, 'concerns_on', new.concerns_on,
                       'evidence', new.evidence));
  update public.insight_anomalies a set notified_at = now() where a.id = new.id;
  return null;
end;
$function$
;

CREATE TRIGGER notify_anomaly AFTER INSERT ON public.insight_anomalies FOR EACH ROW EXECUTE FUNCTION private.notify_anomaly();

comment on function private.notify_anomaly() is 'Tells the members of an anomaly the first time it is stored, and marks it notified.';

revoke all on function private.notify_anomaly() from public, anon, authenticated, service_role;

insert into private.notification_kinds (name, module, source, template, audience, default_in_app, default_email, titles)
values ('anomaly_found', 'insights', null, 'reminder', 'member', true, 'weekly',
  '{"en": "Unusual: {{item}}", "sv": "Ovanligt: {{item}}", "nb": "Uvanlig: {{item}}",
    "da": "Usædvanligt: {{item}}", "fi": "Poikkeama: {{item}}", "de": "Ungewöhnlich: {{item}}"}')
on conflict (name) do nothing;
