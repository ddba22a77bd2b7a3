create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The object's name in the `attachments` bucket: `<org_id>/<anything>`. One row per file,
  -- trashed or not, since purging the row lets the file go.
  object_path text not null unique,
  -- The defaults only mark these optional for clients: validate_attachment sets them, the type
  -- and size from the stored object's metadata, the name from the path unless one is given.
  file_name text not null default '' check (private.name_is_valid(file_name, 255)),
  content_type text not null default '',
  size_bytes bigint not null default 0 check (size_bytes >= 0),
  -- The record the file belongs to, in any record table other than this one.
  record_table text not null,
  record_id uuid not null
);

comment on table public.attachments is
  'A file in the private Storage bucket `attachments`, linked to the record it belongs to (record_table, record_id).';

select private.enroll_record_table('public.attachments');

create index attachments_org_id_record_idx on public.attachments (org_id, record_table, record_id);

-- Named to run after stamp_record, which refuses another organization's insert before anything
-- here could tell whether a path or record of it exists.
create trigger validate_attachment before insert or update on public.attachments
  for each row execute function private.validate_attachment();

