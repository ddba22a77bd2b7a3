-- Each reminder window that fired: the key (kind, item, due day, lead days) makes each window
-- fire exactly once, however often or late the schedule runs.
create table private.reminder_firings (
  kind text not null references private.notification_kinds (name) on delete cascade,
  item_id uuid not null,
  due_on date not null,
  lead_days smallint not null,
  org_id uuid not null references public.organizations (id) on delete cascade,
  fired_on date not null,
  fired_at timestamptz not null default now(),
  primary key (kind, item_id, due_on, lead_days)
);

comment on table private.reminder_firings is
  'The reminder windows that have fired, one row each (kind, item, due day, lead days): a window never fires twice.';

create index reminder_firings_org_id_idx on private.reminder_firings (org_id, fired_at);

alter table private.reminder_firings enable row level security;

-- Computes the reminders due at the instant `as_of` (now, for the schedule; any instant, for
-- tests and catching up) in each organization's own time zone (all, or those of `org_ids`) and
-- tells their users.
-- For an item due in n days (n counted from the organization's today), the window that fires is
-- the smallest of its lead days that is at least n: on the day itself for a window reached on
-- time, at the first run after it for a schedule that was late (then only the most urgent
-- window fires, not every one it missed). One item's failure is logged and skipped; the others
-- go on. Answers how many windows fired.
create function private.run_reminders(as_of timestamptz default now(), org_ids uuid[] default null)
returns integer
language plpgsql
set search_path = ''
as $$
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
$$;

comment on function private.run_reminders(timestamptz, uuid[]) is
  'Fires the reminder windows due at as_of in each organization''s time zone, once each, and tells the users (pg_cron every 15 minutes).';

select cron.schedule('notifications-reminders', '*/15 * * * *', 'select private.run_reminders()');
