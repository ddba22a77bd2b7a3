-- A backup's rows staged while a restore job reads its ZIP in steps, verified against the
-- manifest's checksums before anything of them reaches public tables. One row per NDJSON line;
-- the line number makes a step that runs again write the same rows (on conflict do nothing).
create table private.restore_rows (
  job_id uuid not null references public.jobs (id) on delete cascade,
  table_name text not null,
  line integer not null check (line >= 0),
  row_data jsonb not null,
  constraint restore_rows_pkey primary key (job_id, table_name, line)
);

comment on table private.restore_rows is
  'Rows of a backup being restored (import.backup), by job, table and NDJSON line; removed when the restore commits or fails.';
