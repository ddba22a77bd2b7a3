-- Stand-in for the database side of Supabase Realtime (Broadcast from the database): the
-- `realtime` schema with realtime.messages, realtime.topic(), realtime.send() and
-- realtime.broadcast_changes(), plus the empty `supabase_realtime` publication that hosted
-- projects have. On a hosted project the Realtime service creates all of this itself; the
-- local stack applies this file only where the `realtime` schema is missing, so migrations
-- (broadcast triggers, RLS policies on realtime.messages) run unchanged in both places.
--
-- Names, columns, defaults, grants and function bodies follow supabase/realtime's tenant
-- migrations. Differences: realtime.messages is a plain table (the service partitions it by
-- day and creates the partitions itself), and the functions pin `search_path = ''`.

create schema realtime;

grant usage on schema realtime to postgres, anon, authenticated, service_role;

create table realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  constraint messages_pkey primary key (id, inserted_at)
);

create index messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

-- No policies: with RLS on, nobody but the owner and bypassrls roles reads or writes until a
-- project adds its own policies, as on a hosted project.
alter table realtime.messages enable row level security;

grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant delete, truncate, references, trigger on realtime.messages to postgres;

-- The topic of the channel being authorized; Realtime sets it before checking RLS policies.
create function realtime.topic()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- Security invoker like the real one: the caller's RLS policies on realtime.messages decide
-- whether the insert happens. It never raises, so a failed broadcast cannot abort the write
-- that triggered it.
create function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
set search_path = ''
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    -- clients deduplicate broadcasts by the payload's id
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;

    -- policies on realtime.messages read the topic through realtime.topic()
    execute format('set local realtime.topic to %L', topic);

    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    );
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

-- Hosted projects have this publication (empty until tables are added for Postgres Changes),
-- so `alter publication supabase_realtime add table ...` works in migrations. Creating it
-- warns that wal_level is not logical; nothing here replicates, so the warning is muted.
do $$
declare
  previous text := current_setting('client_min_messages');
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    perform set_config('client_min_messages', 'error', true);
    create publication supabase_realtime;
    perform set_config('client_min_messages', previous, true);
  end if;
end;
$$;
