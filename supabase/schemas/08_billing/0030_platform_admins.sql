create table private.platform_admins (
  user_id uuid primary key references auth.users (id) on delete cascade,
  note text,
  created_at timestamptz not null default now()
);

comment on table private.platform_admins is
  'WestWallet operators: may change the configuration, suspend organizations and adjust credits. Filled from the SQL editor.';

create trigger record_config_change after insert or update or delete on private.platform_admins
  for each row execute function private.record_config_change();
