-- The contract every record table follows, applied by one call:
--   select private.enroll_record_table('public.things');
-- after `create table public.things (id uuid primary key default gen_random_uuid(), org_id uuid
-- not null references public.organizations (id) on delete cascade, ...its own columns)`.
--
-- It adds the standard columns (reference, created/updated/deleted at and by), the unique keys
-- (org_id, id) for composite foreign keys and (org_id, reference), row-level security per
-- command, and the triggers for references, stamps, trash, audit, sync and broadcast.
-- Then: references (A000001), trash (list, restore, purge, scheduled purge), undo, lookup by
-- reference.
-- Touches: organizations (reference sequences), cron.job.

-- References ---------------------------------------------------------------------------------
--
-- One sequence per organization: nextval never waits for another transaction, so concurrent
-- inserts in one organization do not queue behind each other, and never hands out a number
-- twice. A rolled-back insert leaves a gap; references are unique, not gapless.

create function private.reference_sequence(org_id uuid)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'private.' || quote_ident('reference_seq_' || replace(org_id::text, '-', ''));
$$;

-- 26 letters × 999,999 numbers: A000001 … A999999, B000001 … Z999999.
create function private.format_reference(n bigint)
returns text
language sql
immutable
set search_path = ''
as $$
  select chr(65 + ((n - 1) / 999999)::integer) || lpad((((n - 1) % 999999) + 1)::text, 6, '0');
$$;

create function private.next_reference(org_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
begin
  return private.format_reference(nextval(private.reference_sequence(org_id)::regclass));
exception
  when undefined_table or sequence_generator_limit_exceeded or object_not_in_prerequisite_state then
    -- Checked only here, off the path every insert takes.
    if not exists (select from public.organizations o where o.id = next_reference.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    raise sqlstate 'PT500' using message = 'ID_SEQUENCE_FAILED',
      detail = format('No reference can be allocated in organization %s: %s', org_id, sqlerrm);
end;
$$;

create function private.manage_reference_sequence()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    execute format('create sequence %s as bigint minvalue 1 maxvalue 25999974 no cycle', private.reference_sequence(new.id));
  else
    execute format('drop sequence if exists %s', private.reference_sequence(old.id));
  end if;
  return null;
end;
$$;

create trigger manage_reference_sequence after insert or delete on public.organizations
  for each row execute function private.manage_reference_sequence();

-- Organizations created before this migration.
do $$
declare
  org record;
begin
  for org in select id from public.organizations loop
    execute format('create sequence if not exists %s as bigint minvalue 1 maxvalue 25999974 no cycle', private.reference_sequence(org.id));
  end loop;
end;
$$;

create function private.parse_reference(reference text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if reference is null or upper(btrim(reference)) !~ '^[A-Z][0-9]{6}$' or right(btrim(reference), 6) = '000000' then
    raise sqlstate 'PT400' using message = 'ID_FORMAT_INVALID',
      detail = format('%L is not a reference: one letter and six digits, like A000001.', reference);
  end if;
  return upper(btrim(reference));
end;
$$;

-- Stamps and trash ---------------------------------------------------------------------------

-- Trash, restore and purge run with this set, so the stamp trigger lets deleted_at change and
-- the trash trigger lets a delete through. Transaction-local; reset when done.
create function private.internal_operation()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(current_setting('westwallet.internal_operation', true), '');
$$;

create function private.stamp_record()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- Row-level security checks the new row only after this trigger: refuse a foreign
    -- organization here, before a reference of it is used up (sequences never roll back).
    if auth.uid() is not null and row_security_active(tg_relid)
       and not private.has_org_role(new.org_id, 'member') then
      raise sqlstate '42501' using
        message = format('new row violates row-level security policy for table "%s"', tg_table_name);
    end if;
    new.reference := private.next_reference(new.org_id);
    new.created_at := now();
    new.created_by := auth.uid();
    new.updated_at := now();
    new.updated_by := auth.uid();
    new.deleted_at := null;
    new.deleted_by := null;
    return new;
  end if;
  if (new.id, new.org_id, new.reference, new.created_at, new.created_by)
     is distinct from (old.id, old.org_id, old.reference, old.created_at, old.created_by)
     or ((new.deleted_at, new.deleted_by) is distinct from (old.deleted_at, old.deleted_by)
         and private.internal_operation() is null) then
    raise sqlstate 'PT400' using message = 'READ_ONLY_COLUMN',
      detail = 'id, org_id, reference, created_* and deleted_* are set by the database; delete and restore move records in and out of the trash.';
  end if;
  new.updated_at := now();
  new.updated_by := auth.uid();
  return new;
end;
$$;

-- A delete moves the record to the trash instead; purging (and deleting the organization)
-- deletes for real.
create function private.trash_instead_of_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.internal_operation() = 'purge'
     or not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  perform set_config('westwallet.internal_operation', 'trash', true);
  execute format('update %s set deleted_at = now(), deleted_by = auth.uid() where id = $1 and deleted_at is null', tg_relid::regclass)
    using old.id;
  perform set_config('westwallet.internal_operation', '', true);
  return null;
end;
$$;

create function private.enroll_record_table(target regclass)
returns void
language plpgsql
set search_path = ''
as $$
declare
  target_name text := private.public_table_name(target);
begin

  execute format($ddl$
    alter table %1$s
      -- The default only marks the column optional for clients: stamp_record always sets it.
      add column reference text not null default '' check (reference ~ '^[A-Z][0-9]{6}$'),
      add column created_at timestamptz not null default now(),
      add column created_by uuid default auth.uid(),
      add column updated_at timestamptz not null default now(),
      add column updated_by uuid,
      add column deleted_at timestamptz,
      add column deleted_by uuid,
      add constraint %2$I unique (org_id, id),
      add constraint %3$I unique (org_id, reference);
    create index %4$I on %1$s (org_id, deleted_at) where deleted_at is not null;
    comment on column %1$s.reference is 'Human-readable reference, unique within the organization (A000001).';

    alter table %1$s enable row level security;
    create policy "members read live records" on %1$s for select to authenticated
      using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]) and deleted_at is null);
    create policy "members add records" on %1$s for insert to authenticated
      with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
    create policy "members change live records" on %1$s for update to authenticated
      using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]) and deleted_at is null)
      with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
    create policy "members delete live records" on %1$s for delete to authenticated
      using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]) and deleted_at is null);
    grant select, insert, update, delete on %1$s to authenticated;

    create trigger stamp_record before insert or update on %1$s
      for each row execute function private.stamp_record();
    create trigger trash_instead_of_delete before delete on %1$s
      for each row execute function private.trash_instead_of_delete();
  $ddl$,
    target,
    target_name || '_org_id_id_key',
    target_name || '_org_id_reference_key',
    target_name || '_org_id_trash_idx'
  );
  perform private.track_changes(target);
  update private.tracked_tables t set is_record = true where t.table_name = target_name;
end;
$$;

-- Trash --------------------------------------------------------------------------------------

create function private.record_table(table_name text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select from private.tracked_tables t where t.table_name = record_table.table_name and t.is_record) then
    raise sqlstate 'PT400' using message = 'TABLE_NOT_SUPPORTED',
      detail = format('%L has no trash, references or undo.', table_name);
  end if;
  return format('public.%I', table_name);
end;
$$;

create function private.list_trash(org_id uuid, of_table text, max_rows integer, before_deleted_at timestamptz, before_id uuid)
returns table (table_name text, id uuid, reference text, deleted_at timestamptz, deleted_by uuid, record jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  tables text[];
  query text;
begin
  perform private.require_org_role(org_id, 'viewer');
  if max_rows is null or max_rows not between 1 and 1000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 1000';
  end if;
  if list_trash.of_table is not null then
    perform private.record_table(list_trash.of_table);
  end if;
  select array_agg(t.table_name order by t.table_name) into tables
  from private.tracked_tables t
  where t.is_record and (list_trash.of_table is null or t.table_name = list_trash.of_table);
  select string_agg(format(
    $q$(select %1$L::text, r.id, r.reference, r.deleted_at, r.deleted_by, to_jsonb(r) from public.%1$I r
        where r.org_id = $1 and r.deleted_at is not null and ($3 is null or (r.deleted_at, r.id) < ($3, $4))
        order by r.deleted_at desc, r.id desc limit $2)$q$, t), ' union all ')
  into query
  from unnest(tables) t;
  if query is null then
    return;
  end if;
  return query execute format('select * from (%s) trash order by 4 desc, 2 desc limit $2', query)
    using org_id, max_rows, before_deleted_at, before_id;
end;
$$;

create function public.list_trash(
  org_id uuid,
  of_table text default null,
  max_rows integer default 50,
  before_deleted_at timestamptz default null,
  before_id uuid default null
)
returns table (table_name text, id uuid, reference text, deleted_at timestamptz, deleted_by uuid, record jsonb)
language sql
stable
set search_path = ''
as $$
  select * from private.list_trash(org_id, of_table, max_rows, before_deleted_at, before_id);
$$;
comment on function public.list_trash is
  'The organization''s trash, newest first; pass the last row''s deleted_at and id to get the next page.';

-- Finds a record in the trash that the caller may act on with `min_role`.
create function private.trashed_record(table_name text, id uuid, min_role public.org_role)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org_id uuid;
begin
  execute format('select org_id from %s where id = $1 and deleted_at is not null', private.record_table(table_name))
    into org_id using id;
  if org_id is null or not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = 'No such record in your trash.';
  end if;
  perform private.require_org_role(org_id, min_role);
  return org_id;
end;
$$;

create function private.restore_from_trash(table_name text, id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  restored jsonb;
begin
  perform private.trashed_record(table_name, id, 'member');
  perform set_config('westwallet.internal_operation', 'restore', true);
  execute format('update %s r set deleted_at = null, deleted_by = null where id = $1 returning to_jsonb(r)', private.record_table(table_name))
    into restored using id;
  perform set_config('westwallet.internal_operation', '', true);
  return restored;
end;
$$;

create function public.restore_from_trash(table_name text, id uuid)
returns jsonb
language sql
set search_path = ''
as $$
  select private.restore_from_trash(table_name, id);
$$;
comment on function public.restore_from_trash is 'Members take a record out of the trash; returns the record.';

create function private.purge_from_trash(table_name text, id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.trashed_record(table_name, id, 'admin');
  perform set_config('westwallet.internal_operation', 'purge', true);
  execute format('delete from %s where id = $1', private.record_table(table_name)) using id;
  perform set_config('westwallet.internal_operation', '', true);
end;
$$;

create function public.purge_from_trash(table_name text, id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.purge_from_trash(table_name, id);
$$;
comment on function public.purge_from_trash is 'Admins delete a record in the trash for good.';

-- Run daily by pg_cron: purges what has been in the trash longer than its organization keeps it.
create function private.purge_expired_trash()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked record;
  purged integer;
  total integer := 0;
begin
  perform set_config('westwallet.internal_operation', 'purge', true);
  for tracked in select t.table_name from private.tracked_tables t where t.is_record loop
    execute format(
      $q$delete from public.%I r using public.organizations o
         where o.id = r.org_id and r.deleted_at < now() - make_interval(days => o.trash_retention_days)$q$,
      tracked.table_name
    );
    get diagnostics purged = row_count;
    total := total + purged;
  end loop;
  perform set_config('westwallet.internal_operation', '', true);
  return total;
end;
$$;

select cron.schedule('trash-purge', '17 3 * * *', 'select private.purge_expired_trash()');

-- Undo ---------------------------------------------------------------------------------------

create function private.undo_change(audit_id bigint)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  entry public.audit_log;
  target text;
  caller_role public.org_role;
  columns text;
  result jsonb;
begin
  select * into entry from public.audit_log a where a.id = audit_id;
  if entry.id is null or not private.has_org_role(entry.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'AUDIT_ENTRY_NOT_FOUND', detail = format('No audit entry %s in your organizations.', audit_id);
  end if;
  caller_role := private.require_org_role(entry.org_id, 'member');
  if entry.actor_id is distinct from auth.uid() and caller_role < 'admin' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only its author or an admin undoes a change.';
  end if;
  if entry.operation not in ('UPDATE', 'DELETE')
     or not exists (select from private.tracked_tables t where t.table_name = entry.table_name and t.is_record) then
    raise sqlstate 'PT400' using message = 'UNDO_NOT_SUPPORTED',
      detail = format('A %s of %s cannot be undone.', entry.operation, entry.table_name);
  end if;
  target := private.record_table(entry.table_name);

  -- Lock the record, then check nothing happened to it after this entry.
  execute format('select 1 from %s where id = $1 for update', target) using entry.record_id;
  if exists (
    select from public.audit_log a
    where a.org_id = entry.org_id and a.table_name = entry.table_name and a.record_id = entry.record_id and a.id > entry.id
  ) then
    raise sqlstate 'PT409' using message = 'UNDO_CONFLICT',
      detail = 'The record changed again since (or the change was already undone); undo the later change first.';
  end if;

  perform set_config('westwallet.undo_of', entry.id::text, true);
  if entry.operation = 'DELETE' then
    perform set_config('westwallet.internal_operation', 'restore', true);
    execute format('update %s r set deleted_at = null, deleted_by = null where id = $1 returning to_jsonb(r)', target)
      into result using entry.record_id;
  else
    select string_agg(format('%1$I = old.%1$I', key), ', ') into columns
    from jsonb_object_keys(entry.old_values) key;
    execute format(
      'update %1$s r set %2$s from jsonb_populate_record(null::%1$s, $1) old where r.id = $2 returning to_jsonb(r)',
      target, columns
    ) into result using entry.old_values, entry.record_id;
  end if;
  perform set_config('westwallet.undo_of', '', true);
  perform set_config('westwallet.internal_operation', '', true);
  if result is null then
    raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = 'The record no longer exists.';
  end if;
  return result;
end;
$$;

create function public.undo_change(audit_id bigint)
returns jsonb
language sql
set search_path = ''
as $$
  select private.undo_change(audit_id);
$$;
comment on function public.undo_change is
  'Undoes an update or delete (from the audit log) as its author or an admin, unless the record changed since; returns the record.';

-- Lookup by reference ------------------------------------------------------------------------

-- Security invoker: each probe reads as the caller, so RLS decides what is found.
create function public.find_by_reference(org_id uuid, reference text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  normalized text := private.parse_reference(reference);
  tracked record;
  found_record jsonb;
begin
  if not private.has_org_role(org_id, 'viewer') then
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  for tracked in select t.table_name from private.tracked_tables t where t.is_record order by t.table_name loop
    execute format('select to_jsonb(r) from public.%I r where r.org_id = $1 and r.reference = $2', tracked.table_name)
      into found_record using org_id, normalized;
    if found_record is not null then
      return jsonb_build_object('table', tracked.table_name, 'id', found_record ->> 'id', 'record', found_record);
    end if;
  end loop;
  raise sqlstate 'PT404' using message = 'RECORD_NOT_FOUND', detail = format('No record %s in this organization.', normalized);
end;
$$;
comment on function public.find_by_reference is 'The record with this reference (A000001) in the organization, with its table.';

grant execute on function
  private.internal_operation(), private.parse_reference(text), private.next_reference(uuid),
  private.reference_sequence(uuid), private.format_reference(bigint),
  public.list_trash(uuid, text, integer, timestamptz, uuid), private.list_trash(uuid, text, integer, timestamptz, uuid),
  public.restore_from_trash(text, uuid), private.restore_from_trash(text, uuid),
  public.purge_from_trash(text, uuid), private.purge_from_trash(text, uuid),
  public.undo_change(bigint), private.undo_change(bigint),
  public.find_by_reference(uuid, text)
to authenticated;

-- Trusted servers write through the same triggers.
grant execute on function private.internal_operation(), private.next_reference(uuid), private.has_org_role(uuid, public.org_role)
to service_role;
