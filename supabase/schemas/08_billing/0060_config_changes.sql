create table private.config_changes (
  id bigint generated always as identity primary key,
  table_name text not null,
  key text not null,
  operation text not null check (operation in ('INSERT', 'UPDATE', 'DELETE')),
  old_values jsonb,
  new_values jsonb,
  actor_id uuid,
  actor_role text not null,
  created_at timestamptz not null default now()
);

comment on table private.config_changes is
  'Every change to app_settings, plans and platform_admins, by whom; written by trigger, never changed.';

create trigger append_only before update or delete on private.config_changes
  for each row execute function private.config_changes_append_only();
