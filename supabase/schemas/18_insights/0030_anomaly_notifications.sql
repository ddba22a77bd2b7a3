-- An anomaly is told to the organization's members once, when it is first stored: in the app at
-- once, by email in the weekly digest unless they choose otherwise (docs/notifications.md).
insert into private.notification_kinds (name, module, source, template, audience, default_in_app, default_email, titles)
values ('anomaly_found', 'insights', null, 'reminder', 'member', true, 'weekly',
  '{"en": "Unusual: {{item}}", "sv": "Ovanligt: {{item}}", "nb": "Uvanlig: {{item}}",
    "da": "Usædvanligt: {{item}}", "fi": "Poikkeama: {{item}}", "de": "Ungewöhnlich: {{item}}"}')
on conflict (name) do nothing;

create function private.notify_anomaly()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
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
$$;

comment on function private.notify_anomaly() is 'Tells the members of an anomaly the first time it is stored, and marks it notified.';

create trigger notify_anomaly after insert on public.insight_anomalies
  for each row execute function private.notify_anomaly();
