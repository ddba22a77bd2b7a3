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
  -- Inserts once per statement (record_inserts), updates and deletes row by row (record_change).
  execute format(
    'create trigger record_inserts after insert on %1$s referencing new table as added_rows
       for each statement execute function private.record_inserts();
     create trigger record_change after update or delete on %1$s for each row execute function private.record_change()',
    target
  );
end;
$$;
