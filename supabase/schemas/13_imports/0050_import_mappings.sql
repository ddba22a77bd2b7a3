create table public.import_mappings (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  account_id uuid not null,
  -- A CSV mapping, whole or in part (csvMappingOverrideSchema in packages/shared/src/imports/
  -- csv-mapping.ts); the preview checks it and answers IMPORT_MAPPING_INVALID for one it cannot use.
  mapping jsonb not null default '{}' check (jsonb_typeof(mapping) = 'object' and pg_column_size(mapping) <= 4096),
  preset text check (char_length(preset) <= 40),
  updated_at timestamptz not null default now(),
  unique (org_id, account_id),
  foreign key (org_id, account_id) references public.accounts (org_id, id) on delete cascade
);

comment on table public.import_mappings is
  'How an account''s CSV statements are read, as a member corrected and saved it; the preview uses it when the job names no mapping.';

alter table public.import_mappings enable row level security;

grant select, insert, delete on public.import_mappings to authenticated;
grant update (mapping, preset, updated_at) on public.import_mappings to authenticated;

create policy "members read their organization's import mappings" on public.import_mappings
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

create policy "members save import mappings" on public.import_mappings
  for insert to authenticated with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

create policy "members change import mappings" on public.import_mappings
  for update to authenticated
  using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]))
  with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

create policy "members remove import mappings" on public.import_mappings
  for delete to authenticated using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

select private.track_changes('public.import_mappings');
