create table public.tags (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (private.name_is_valid(name, 60)),
  color text check (color ~ '^#[0-9a-f]{6}$')
);

comment on table public.tags is 'Labels an organization puts on its records.';

select private.enroll_record_table('public.tags');

-- A name once per organization among live tags; a trashed tag does not block a new one.
create unique index tags_org_id_name_key on public.tags (org_id, lower(name)) where deleted_at is null;

