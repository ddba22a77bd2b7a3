-- Reminders reach webhook receivers: run_reminders emits `reminder.due` for each window that
-- fires, and the event type joins the catalog. Touches: private.run_reminders,
-- private.webhook_event_types (reminder.due).

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.run_reminders(as_of timestamp with time zone DEFAULT now(), org_ids uuid[] DEFAULT NULL::uuid[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  k private.notification_kinds;
  due record;
  fired integer := 0;
begin
  for k in select * from private.notification_kinds nk where nk.source is not null order by nk.name loop
    for due in
      execute format(
        'select s.org_id, s.item_id, s.item, s.due_on, s.today, w.lead_days
         from %s($1, $3) s
         cross join lateral (
           select min(d) as lead_days from unnest(coalesce(s.lead_days, $2)) d where d >= s.due_on - s.today
         ) w
         where w.lead_days is not null', k.source)
      using as_of, k.default_lead_days, org_ids
    loop
      begin
        insert into private.reminder_firings (kind, item_id, due_on, lead_days, org_id, fired_on)
        values (k.name, due.item_id, due.due_on, due.lead_days, due.org_id, due.today)
        on conflict on constraint reminder_firings_pkey do nothing;
        if found then
          perform private.notify(
            k.name, due.org_id, due.item,
            jsonb_build_object('item_id', due.item_id, 'due_on', due.due_on, 'lead_days', due.lead_days,
                               'days_left', due.due_on - due.today),
            '{}', null, as_of);
          -- Receivers subscribed to reminders hear of it too (docs/webhooks.md, "Other events").
          perform private.emit_webhook_event(due.org_id, 'reminder.due',
            jsonb_build_object('kind', k.name, 'item_id', due.item_id, 'item', due.item, 'due_on', due.due_on,
                               'lead_days', due.lead_days, 'days_left', due.due_on - due.today));
          fired := fired + 1;
        end if;
      exception when others then
        raise warning 'reminder % of % (organization %) failed: % %', k.name, due.item_id, due.org_id, sqlstate, sqlerrm;
      end;
    end loop;
  end loop;
  return fired;
end;
$function$
;

insert into private.webhook_event_types (name, description) values
  ('reminder.due', 'A reminder window opened: a contract''s notice deadline or end, a warranty, insurance, maintenance, ...')
on conflict (name) do nothing;
