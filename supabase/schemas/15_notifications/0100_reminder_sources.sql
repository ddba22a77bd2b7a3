-- The sources of date-computed reminders: each answers, for the instant `as_of`, the items of
-- every organization (or of `org_ids`) with a due day from that organization's today (in its
-- time zone) up to a year ahead, the item's own lead days (null for the kind's default) and its
-- name for the title. A module adds a source of the same signature and names it in its kind.
-- private.run_reminders decides which window fires.

create function private.contract_notice_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select c.org_id, c.id, c.name, d.notice_deadline_on, c.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.contracts c on c.org_id = o.id and c.deleted_at is null and c.status = 'active'
  cross join lateral private.contract_dates(c, t.today) d
  where (org_ids is null or o.id = any (org_ids))
    and d.notice_deadline_on between t.today and t.today + 366;
$$;

create function private.contract_end_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select c.org_id, c.id, c.name, d.effective_ends_on, c.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.contracts c on c.org_id = o.id and c.deleted_at is null and c.status in ('active', 'notice_given')
  cross join lateral private.contract_dates(c, t.today) d
  where (org_ids is null or o.id = any (org_ids))
    and d.effective_ends_on between t.today and t.today + 366;
$$;

create function private.warranty_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select w.org_id, w.id, w.product, w.ends_on, w.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.warranties w on w.org_id = o.id and w.deleted_at is null
  where (org_ids is null or o.id = any (org_ids))
    and w.ends_on between t.today and t.today + 366;
$$;

create function private.insurance_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select i.org_id, i.id, coalesce(i.name, i.insurer, i.kind::text), i.renews_on, i.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.insurances i on i.org_id = o.id and i.deleted_at is null and i.ended_on is null
  where (org_ids is null or o.id = any (org_ids))
    and i.renews_on between t.today and t.today + 366;
$$;

create function private.maintenance_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select m.org_id, m.id, m.title, m.next_due_on, m.reminder_days, t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.maintenance_tasks m on m.org_id = o.id and m.deleted_at is null
  where (org_ids is null or o.id = any (org_ids))
    and m.next_due_on between t.today and t.today + 366;
$$;

-- The organization itself is the item: its trial's last day.
create function private.trial_reminders(as_of timestamptz, org_ids uuid[])
returns table (org_id uuid, item_id uuid, item text, due_on date, lead_days smallint[], today date)
language sql
stable
set search_path = ''
as $$
  select o.id, o.id, o.name, (s.trial_ends_at at time zone o.time_zone)::date, null::smallint[], t.today
  from public.organizations o
  cross join lateral (select (as_of at time zone o.time_zone)::date as today) t
  join public.subscriptions s on s.org_id = o.id and s.status = 'trialing'
  where (org_ids is null or o.id = any (org_ids))
    and (s.trial_ends_at at time zone o.time_zone)::date between t.today and t.today + 366;
$$;
