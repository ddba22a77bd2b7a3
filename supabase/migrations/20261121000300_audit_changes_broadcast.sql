-- What happens on every change of tenant data, in the same transaction as the change:
--   * an audit row: who, which organization, table and record, the changed fields before and
--     after, when. The audit log is also the change feed behind sync_changes();
--   * a broadcast to the private Realtime topic `org:<org_id>`, received only by members.
-- Tables join with private.track_changes(); record tables (next migration) do it for them.
-- Touches: audit_log, private.tracked_tables, realtime.messages (policy).

create table private.tracked_tables (
  table_name text primary key,
  -- The column holding the organization: org_id, or id for organizations itself.
  org_column text not null default 'org_id',
  -- Record tables carry references, trash and undo (private.enroll_record_table).
  is_record boolean not null default false,
  -- Whether members receive the rows through sync_changes() and Realtime. Off for tables
  -- only some members may read (invitations: admins).
  shared_with_members boolean not null default true
);
comment on table private.tracked_tables is 'Tables in public whose changes are audited, synced and broadcast.';
grant select on private.tracked_tables to authenticated;

create table public.audit_log (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  table_name text not null,
  record_id uuid not null,
  -- DELETE moves a record to the trash, RESTORE takes it out, PURGE removes it for good.
  operation text not null check (operation in ('INSERT', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE')),
  -- INSERT: the new row; UPDATE: the changed fields only; DELETE/PURGE: the row as it was.
  old_values jsonb,
  new_values jsonb,
  -- The user (auth.uid()); null for a service or SQL without a user.
  actor_id uuid,
  -- The JWT role (authenticated, service_role) or, without a JWT, the database user.
  actor_role text not null,
  -- RFC 8693 `act` claim: who acts in the user's name (support impersonation).
  impersonator_id uuid,
  -- The login behind the request: authenticator through the Data API on the platform,
  -- postgres in the SQL editor (also when impersonating a user there).
  session_role text not null,
  undo_of bigint,
  -- The writing transaction: sync_changes() reads by it (see there).
  xid xid8 not null default pg_current_xact_id(),
  created_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, undo_of) references public.audit_log (org_id, id) on delete cascade
);
comment on table public.audit_log is
  'Every insert, update and delete of tenant data, written by trigger in the same transaction. Append-only; admins read their organization''s.';
create index audit_log_org_id_record_idx on public.audit_log (org_id, table_name, record_id, id);
create index audit_log_org_id_xid_idx on public.audit_log (org_id, xid, id);
create index audit_log_undo_of_idx on public.audit_log (org_id, undo_of) where undo_of is not null;

alter table public.audit_log enable row level security;
create policy "admins read their organization's audit log" on public.audit_log
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
grant select on public.audit_log to authenticated;
revoke insert, update, delete, truncate on public.audit_log from service_role;

create function private.audit_log_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deleting an organization takes its log with it; nothing else removes or rewrites a row.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  raise sqlstate 'PT403' using message = 'AUDIT_LOG_APPEND_ONLY', detail = 'Audit rows are never changed or deleted.';
end;
$$;

create trigger append_only before update or delete on public.audit_log
  for each row execute function private.audit_log_append_only();

-- Logs one row change and broadcasts it. Runs after the row is written, as the table owner,
-- so neither the caller's grants nor RLS on audit_log and realtime.messages get in the way.
create function private.record_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked private.tracked_tables;
  -- Each row is serialized once; everything below reads these.
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  row_data jsonb := coalesce(new_data, old_data);
  org_id uuid;
  operation text := tg_op;
  before jsonb;
  after jsonb;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  org_id := (row_data ->> tracked.org_column)::uuid;
  -- The organization is being deleted: its log and its members' channels go with it.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = org_id) then
    return null;
  end if;

  if tg_op = 'INSERT' then
    after := new_data;
  elsif tg_op = 'DELETE' then
    before := old_data;
    if tracked.is_record then
      operation := 'PURGE';
    end if;
  else
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value)
    into before, after
    from jsonb_each(new_data) n
    join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null; -- nothing but the timestamps changed
    end if;
    if after ? 'deleted_at' then
      operation := case when new.deleted_at is null then 'RESTORE' else 'DELETE' end;
      if operation = 'DELETE' then
        before := old_data;
      end if;
    end if;
  end if;

  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  ) values (
    org_id, tg_table_name, (row_data ->> 'id')::uuid, operation, before, after,
    auth.uid(),
    coalesce(claims ->> 'role', session_user::text),
    case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
    session_user::text,
    nullif(current_setting('westwallet.undo_of', true), '')::bigint
  );

  if tracked.shared_with_members then
    perform realtime.broadcast_changes(
      'org:' || org_id, operation, tg_op, tg_table_name, tg_table_schema, new, old
    );
  end if;
  return null;
end;
$$;

-- The name of a table in public, for the enrolling functions below (migration time only).
create function private.public_table_name(target regclass)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  table_name text;
begin
  select c.relname into table_name
  from pg_catalog.pg_class c
  where c.oid = target and c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p');
  if table_name is null then
    raise exception 'public_table_name: % is not a table in public', target;
  end if;
  return table_name;
end;
$$;

-- Enrolls a table in public: its changes are audited, synced and broadcast from now on.
create function private.track_changes(
  target regclass,
  org_column text default 'org_id',
  shared_with_members boolean default true
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  table_name text := private.public_table_name(target);
begin
  insert into private.tracked_tables (table_name, org_column, shared_with_members)
  values (table_name, org_column, shared_with_members)
  on conflict on constraint tracked_tables_pkey do update
    set org_column = excluded.org_column, shared_with_members = excluded.shared_with_members;
  execute format(
    'create trigger record_change after insert or update or delete on %s for each row execute function private.record_change()',
    target
  );
end;
$$;

select private.track_changes('public.organizations', 'id');
select private.track_changes('public.memberships');
select private.track_changes('public.invitations', shared_with_members => false);

-- Realtime: only members receive an organization's broadcasts --------------------------------

create function private.can_receive_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if topic is null or topic !~ '^org:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return private.has_org_role(substr(topic, 5)::uuid, 'viewer');
end;
$$;
grant execute on function private.can_receive_topic(text) to authenticated;

-- Realtime checks this policy with realtime.topic() set to the channel a client joins.
create policy "members receive their organization's broadcasts" on realtime.messages
  for select to authenticated using (
    extension = 'broadcast'
    and topic = (select realtime.topic())
    and (select private.can_receive_topic((select realtime.topic())))
  );

-- Offline sync -------------------------------------------------------------------------------
--
-- A cursor is a transaction horizon h: "I have every change of every transaction below h".
-- A call returns the changes written by transactions >= h, ordered by (xid, audit id), and
-- the next horizon is the oldest transaction still running when the call began (the xmin of
-- its snapshot): everything below it has committed or aborted, so was either returned or will
-- never exist. A transaction that began earlier but commits later has an xid >= that xmin, so
-- the next call returns it: nothing is missed, and some changes may come twice, which is
-- harmless because a client applies a row's latest state. Cost: an index range on
-- (org_id, xid, id), so it follows the number of changes since the cursor, not table sizes.
--
-- Long answers are paged: a mid-pass cursor `h.xid.id.next` continues after (xid, id) within
-- the same pass and moves to `next` (the horizon when the pass began) when it completes.

create function private.changes_since(
  horizon xid8,
  after_xid xid8,
  after_id bigint,
  max_rows integer,
  only_org_id uuid
)
returns table (xid xid8, id bigint, org_id uuid, table_name text, record_id uuid, operation text)
language sql
stable
security definer
set search_path = ''
as $$
  select a.xid, a.id, a.org_id, a.table_name, a.record_id, a.operation
  from public.audit_log a
  where a.org_id = any ((select private.org_ids_with_role('viewer'))::uuid[])
    and (only_org_id is null or a.org_id = only_org_id)
    and a.xid >= horizon
    and (after_xid is null or (a.xid, a.id) > (after_xid, after_id))
    and a.table_name in (select t.table_name from private.tracked_tables t where t.shared_with_members)
  order by a.xid, a.id
  limit max_rows;
$$;
grant execute on function private.changes_since(xid8, xid8, bigint, integer, uuid) to authenticated;

create function public.sync_changes(cursor text default null, max_rows integer default 500, org_id uuid default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  parts text[];
  horizon xid8 := '0';
  after_xid xid8;
  after_id bigint;
  next_horizon xid8;
  page jsonb;
  fetched integer;
  changed_table text;
  table_changes jsonb;
  changes jsonb := '[]';
begin
  perform private.require_user();
  if max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 1000';
  end if;
  if cursor is not null then
    if cursor !~ '^[0-9]{1,20}(\.[0-9]{1,20}\.[0-9]{1,20}\.[0-9]{1,20})?$' then
      raise sqlstate 'PT400' using message = 'SYNC_CURSOR_INVALID', detail = 'Pass the cursor from the previous answer, or null.';
    end if;
    parts := string_to_array(cursor, '.');
    horizon := parts[1]::xid8;
    if cardinality(parts) = 4 then
      after_xid := parts[2]::xid8;
      after_id := parts[3]::bigint;
      next_horizon := parts[4]::xid8;
    end if;
  end if;
  next_horizon := coalesce(next_horizon, pg_snapshot_xmin(pg_current_snapshot()));

  -- One row more than asked tells whether another page follows.
  select coalesce(jsonb_agg(to_jsonb(c) order by c.xid, c.id), '[]'), count(*)
  into page, fetched
  from private.changes_since(horizon, after_xid, after_id, max_rows + 1, org_id) c;
  if fetched > max_rows then
    page := page - max_rows;
  end if;

  -- The rows as they are now, read as the caller (RLS applies): a row that is gone, in the
  -- trash or no longer visible comes back as deleted.
  for changed_table in select distinct e ->> 'table_name' from jsonb_array_elements(page) e loop
    execute format(
      $sql$
        select coalesce(jsonb_agg(jsonb_build_object(
          'table', c.table_name, 'id', c.record_id, 'org_id', c.org_id, 'operation', c.operation,
          'deleted', r.id is null, 'record', to_jsonb(r)
        ) order by c.xid, c.id), '[]')
        from (
          select distinct on (c.record_id) c.table_name, c.record_id, c.org_id, c.operation, c.xid::xid8 as xid, c.id
          from jsonb_to_recordset($1) as c (xid text, id bigint, org_id uuid, table_name text, record_id uuid, operation text)
          where c.table_name = %1$L
          order by c.record_id, c.xid::xid8 desc, c.id desc
        ) c
        left join public.%1$I r on r.id = c.record_id
      $sql$,
      changed_table
    ) into table_changes using page;
    changes := changes || table_changes;
  end loop;

  return jsonb_build_object(
    'changes', changes,
    'has_more', fetched > max_rows,
    'cursor', case
      when fetched > max_rows then
        format('%s.%s.%s.%s', horizon, page -> -1 ->> 'xid', page -> -1 ->> 'id', next_horizon)
      else next_horizon::text
    end
  );
end;
$$;
comment on function public.sync_changes is
  'Rows of the caller''s organizations changed after `cursor` (null: everything), deletions included, and the cursor to pass next time.';
grant execute on function public.sync_changes(text, integer, uuid) to authenticated;
