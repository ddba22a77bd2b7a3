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

create trigger append_only before update or delete on public.audit_log
  for each row execute function private.audit_log_append_only();
