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
