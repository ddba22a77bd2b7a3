-- Stand-in for the pgmq extension (1.4.4, the version behind Supabase Queues): the `pgmq`
-- schema with pgmq.meta, the record types and the queue functions. The local stack applies
-- this file only where pgmq is not installed. pgmq has no background worker, so nothing else
-- is needed: every queue is a pair of tables, pgmq.q_<name> and pgmq.a_<name> (archive),
-- created and used exactly as pgmq does.
--
-- Differences: no partitioned queues (they need pg_partman) and no detach_archive (queue
-- tables cannot be members of an extension that is not installed); read_with_poll sleeps for
-- the requested interval (1.4.4 divides integers and busy-loops, fixed upstream in 1.4.5).

create schema pgmq;

create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamptz default now() not null
);

grant usage on schema pgmq to pg_monitor;
grant select on all tables in schema pgmq to pg_monitor;
grant select on all sequences in schema pgmq to pg_monitor;
alter default privileges in schema pgmq grant select on tables to pg_monitor;
alter default privileges in schema pgmq grant select on sequences to pg_monitor;

create type pgmq.message_record as (
  msg_id bigint,
  read_ct integer,
  enqueued_at timestamptz,
  vt timestamptz,
  message jsonb
);

create type pgmq.queue_record as (
  queue_name varchar,
  is_partitioned boolean,
  is_unlogged boolean,
  created_at timestamptz
);

create type pgmq.metrics_result as (
  queue_name text,
  queue_length bigint,
  newest_msg_age_sec integer,
  oldest_msg_age_sec integer,
  total_messages bigint,
  scrape_time timestamptz
);

-- Queue names become table names; these characters could break out of the generated SQL.
create function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
set search_path = ''
as $$
begin
  if queue_name ~ '\$|;|--|''' then
    raise exception 'queue name contains invalid characters: $, ;, --, or \''';
  end if;
  return lower(prefix || '_' || queue_name);
end;
$$;

create function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if length(queue_name) >= 48 then
    raise exception 'queue name is too long, maximum length is 48 characters';
  end if;
end;
$$;

-- Creates the queue and archive tables of one kind (logged or unlogged) and registers them.
create function pgmq._create_queue(queue_name text, unlogged boolean)
returns void
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  perform pgmq.validate_queue_name(queue_name);

  execute format(
    $query$
    create %s table if not exists pgmq.%I (
      msg_id bigint primary key generated always as identity,
      read_ct int default 0 not null,
      enqueued_at timestamp with time zone default now() not null,
      vt timestamp with time zone not null,
      message jsonb
    )
    $query$,
    case when unlogged then 'unlogged' else '' end, qtable
  );

  execute format(
    $query$
    create table if not exists pgmq.%I (
      msg_id bigint primary key,
      read_ct int default 0 not null,
      enqueued_at timestamp with time zone default now() not null,
      archived_at timestamp with time zone default now() not null,
      vt timestamp with time zone not null,
      message jsonb
    )
    $query$,
    atable
  );

  execute format('create index if not exists %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
  execute format(
    'create index if not exists %I on pgmq.%I (archived_at)',
    'archived_at_idx_' || queue_name, atable
  );

  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (queue_name, false, unlogged)
  on conflict do nothing;
end;
$$;

create function pgmq.create_non_partitioned(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, false);
$$;

create function pgmq.create_unlogged(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, true);
$$;

create function pgmq.create(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, false);
$$;

create function pgmq.drop_queue(queue_name text, partitioned boolean default false)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  -- pgmq first detaches the table from the extension, which fails like this for no queue
  if to_regclass(format('pgmq.%I', qtable)) is null then
    raise exception using
      errcode = 'undefined_table',
      message = format('relation "pgmq.%s" does not exist', qtable);
  end if;
  execute format('drop table if exists pgmq.%I', qtable);
  execute format('drop table if exists pgmq.%I', atable);
  delete from pgmq.meta where meta.queue_name = drop_queue.queue_name;
  return true;
end;
$$;

create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    insert into pgmq.%I (vt, message)
    values ((clock_timestamp() + %L), $1)
    returning msg_id
    $query$,
    qtable, make_interval(secs => delay)
  ) using msg;
end;
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    insert into pgmq.%I (vt, message)
    select clock_timestamp() + %L, unnest($1)
    returning msg_id
    $query$,
    qtable, make_interval(secs => delay)
  ) using msgs;
end;
$$;

-- Takes up to qty visible messages, skipping rows other readers hold, and hides them for vt
-- seconds; a reader that does not delete or archive them in time lets them reappear.
create function pgmq.read(queue_name text, vt integer, qty integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    with cte as (
      select msg_id
      from pgmq.%I
      where vt <= clock_timestamp()
      order by msg_id asc
      limit $1
      for update skip locked
    )
    update pgmq.%I m
    set vt = clock_timestamp() + %L, read_ct = read_ct + 1
    from cte
    where m.msg_id = cte.msg_id
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    $query$,
    qtable, qtable, make_interval(secs => vt)
  ) using qty;
end;
$$;

-- As read, limited to messages that contain the conditions (jsonb @>).
create function pgmq.read(queue_name text, vt integer, qty integer, conditions jsonb)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    with cte as (
      select msg_id
      from pgmq.%I
      where vt <= clock_timestamp() %s
      order by msg_id asc
      limit $1
      for update skip locked
    )
    update pgmq.%I m
    set vt = clock_timestamp() + %L, read_ct = read_ct + 1
    from cte
    where m.msg_id = cte.msg_id
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    $query$,
    qtable,
    case when conditions is not null then format('and message @> %L', conditions) else '' end,
    qtable,
    make_interval(secs => vt)
  ) using qty;
end;
$$;

create function pgmq.read_with_poll(
  queue_name text,
  vt integer,
  qty integer,
  max_poll_seconds integer default 5,
  poll_interval_ms integer default 100
)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  stop_at timestamp := clock_timestamp() + make_interval(secs => max_poll_seconds);
begin
  loop
    if clock_timestamp() >= stop_at then
      return;
    end if;
    return query select * from pgmq.read(queue_name, vt, qty);
    if found then
      return;
    end if;
    perform pg_sleep(poll_interval_ms::numeric / 1000);
  end loop;
end;
$$;

create function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    with cte as (
      select msg_id
      from pgmq.%I
      where vt <= now()
      order by msg_id asc
      limit 1
      for update skip locked
    )
    delete from pgmq.%I
    where msg_id = (select msg_id from cte)
    returning *
    $query$,
    qtable, qtable
  );
end;
$$;

create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $query$
    update pgmq.%I
    set vt = (now() + %L)
    where msg_id = %L
    returning *
    $query$,
    qtable, make_interval(secs => vt), msg_id
  );
end;
$$;

create function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  deleted bigint;
begin
  execute format('delete from pgmq.%I where msg_id = $1 returning msg_id', qtable)
  using msg_id into deleted;
  return deleted is not null;
end;
$$;

create function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format('delete from pgmq.%I where msg_id = any($1) returning msg_id', qtable)
  using msg_ids;
end;
$$;

-- Moves messages to the archive table, where they are kept with the time of archiving.
create function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  archived bigint;
begin
  select id into archived from pgmq.archive(queue_name, array[msg_id]) as id;
  return archived is not null;
end;
$$;

create function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  return query execute format(
    $query$
    with archived as (
      delete from pgmq.%I
      where msg_id = any($1)
      returning msg_id, vt, read_ct, enqueued_at, message
    )
    insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
    select msg_id, vt, read_ct, enqueued_at, message
    from archived
    returning msg_id
    $query$,
    qtable, atable
  ) using msg_ids;
end;
$$;

create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  deleted_count integer;
begin
  execute format('select count(*) from pgmq.%I', qtable) into deleted_count;
  execute format('truncate table pgmq.%I', qtable);
  return deleted_count;
end;
$$;

create function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
set search_path = ''
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  result_row pgmq.metrics_result;
begin
  execute format(
    $query$
    with q_summary as (
      select
        count(*) as queue_length,
        extract(epoch from (now() - max(enqueued_at)))::int as newest_msg_age_sec,
        extract(epoch from (now() - min(enqueued_at)))::int as oldest_msg_age_sec,
        now() as scrape_time
      from pgmq.%I
    ),
    all_metrics as (
      select case when is_called then last_value else 0 end as total_messages
      from pgmq.%I
    )
    select
      %L as queue_name,
      q_summary.queue_length,
      q_summary.newest_msg_age_sec,
      q_summary.oldest_msg_age_sec,
      all_metrics.total_messages,
      q_summary.scrape_time
    from q_summary, all_metrics
    $query$,
    qtable, qtable || '_msg_id_seq', queue_name
  ) into result_row;
  return result_row;
end;
$$;

create function pgmq.metrics_all()
returns setof pgmq.metrics_result
language sql
set search_path = ''
as $$
  select metrics.* from pgmq.meta, lateral pgmq.metrics(meta.queue_name) as metrics;
$$;

create function pgmq.list_queues()
returns setof pgmq.queue_record
language sql
set search_path = ''
as $$
  select queue_name, is_partitioned, is_unlogged, created_at from pgmq.meta;
$$;
