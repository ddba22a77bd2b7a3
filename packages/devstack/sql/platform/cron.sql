-- Stand-in for the pg_cron 1.6 extension as Supabase ships it: the `cron` schema with
-- cron.job, cron.job_run_details and the functions that manage them. The local stack applies
-- this file only where pg_cron is not installed; its cron worker
-- (packages/devstack/src/workers/cron.ts) does what pg_cron's background worker does: it runs
-- due jobs and records each run in cron.job_run_details.
--
-- pg_cron's functions are C functions that check the caller and then write cron.job with the
-- extension owner's rights. Here they are security definer functions that identify the
-- caller as the active role of the session (`set role`, as PostgREST does, or the login
-- role); a definer function that calls cron.schedule is therefore seen as its session's
-- role, not as its own owner.

create schema cron;

create sequence cron.jobid_seq;
create sequence cron.runid_seq;

create table cron.job (
  jobid bigint primary key default nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  -- inet_server_port() is null on a Unix-socket connection
  nodeport integer not null default coalesce(inet_server_port(), 5432),
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);

alter sequence cron.jobid_seq owned by cron.job.jobid;

create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);

alter sequence cron.runid_seq owned by cron.job_run_details.runid;

-- As in pg_cron: everyone may read, and sees only their own jobs and runs.
grant select on cron.job to public;
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);

grant select on cron.job_run_details to public;
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);

-- Supabase's grant_pg_cron_access(): postgres manages cron and may pass that on, but changes
-- jobs only through the functions.
grant usage on schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;

-- The role a job is scheduled for and checked against. A security definer function sees its
-- owner as current_user; the role GUC still holds the session's `set role`.
create function cron._caller()
returns text
language sql
stable
set search_path = ''
as $$
  select case current_setting('role')
    when 'none' then session_user::text
    else current_setting('role')
  end;
$$;

create function cron._is_superuser(role_name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select rolsuper from pg_roles where rolname = role_name), false);
$$;

-- One value of a schedule field: a number or, for months and weekdays, a name (as Vixie cron).
create function cron._schedule_value(token text, low integer, names text[])
returns integer
language sql
immutable
set search_path = ''
as $$
  select case
    when token ~ '^[0-9]{1,9}$' then token::integer
    else array_position(names, lower(token)) - 1 + low
  end;
$$;

-- A field is a comma list of `*`, `n`, `n-m`, `*/s` or `n-m/s` within low..high; a step
-- needs a range, as in pg_cron's parser.
create function cron._valid_schedule_field(field text, low integer, high integer, names text[])
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  item text;
  parts text[];
  first_value integer;
  last_value integer;
begin
  foreach item in array string_to_array(field, ',') loop
    parts := regexp_match(item, '^(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:/([0-9]{1,9}))?$');
    if parts is null or (parts[1] = '*' and parts[2] is not null) then
      return false;
    end if;
    if parts[3] is not null and parts[3]::integer = 0 then
      return false;
    end if;
    if parts[1] <> '*' then
      if parts[2] is null and parts[3] is not null then
        return false;
      end if;
      first_value := cron._schedule_value(parts[1], low, names);
      last_value := cron._schedule_value(coalesce(parts[2], parts[1]), low, names);
      if first_value is null or last_value is null
        or first_value not between low and high or last_value not between low and high then
        return false;
      end if;
    end if;
  end loop;
  return field <> '';
end;
$$;

-- pg_cron's grammar: five cron fields (GMT; `$` as day of month is its last day), an @
-- shortcut, or an interval of 1 to 59 seconds. Like pg_cron's crontab parser, it ignores
-- whatever follows the fifth field or the shortcut (a crontab line's command).
create function cron._valid_schedule(schedule text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  trimmed text := btrim(schedule, e' \t\r\n');
  seconds text[] := regexp_match(lower(trimmed), '^([0-9]{1,9})\s*seconds?$');
  fields text[] := regexp_split_to_array(trimmed, '\s+');
begin
  if seconds is not null then
    return seconds[1]::integer between 1 and 59;
  end if;
  if trimmed ~ '^@(reboot|restart|yearly|annually|monthly|weekly|daily|midnight|hourly)(\s|$)' then
    return true;
  end if;
  return cardinality(fields) >= 5
    and cron._valid_schedule_field(fields[1], 0, 59, null)
    and cron._valid_schedule_field(fields[2], 0, 23, null)
    and (fields[3] = '$' or cron._valid_schedule_field(fields[3], 1, 31, null))
    and cron._valid_schedule_field(fields[4], 1, 12,
      '{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}')
    and cron._valid_schedule_field(fields[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat,sun}');
end;
$$;

create function cron._check_schedule(schedule text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if not cron._valid_schedule(schedule) then
    raise exception using
      errcode = 'invalid_parameter_value',
      message = format('invalid schedule: %s', schedule),
      hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
  end if;
end;
$$;

-- pg_cron runs a job as a login of its role, so a role given explicitly must be able to log in.
create function cron._check_job_role(role_name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  can_login boolean;
begin
  select rolcanlogin into can_login from pg_roles where rolname = role_name;
  if not found then
    raise exception 'role "%" does not exist', role_name;
  end if;
  if not can_login then
    raise exception 'role "%" can not log in', role_name
      using detail = 'Jobs may only be run by roles that have the LOGIN attribute.';
  end if;
end;
$$;

create function cron._check_connect(role_name text, database_name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not has_database_privilege(role_name, database_name, 'CONNECT') then
    raise exception using
      errcode = 'insufficient_privilege',
      message = format('User %s does not have CONNECT privilege on %s', role_name, database_name);
  end if;
end;
$$;

-- What every cron.schedule variant does; a named job is upserted per (jobname, username).
create function cron._schedule_job(
  p_jobname text,
  p_schedule text,
  p_command text,
  p_database text,
  p_username text,
  p_active boolean
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
  job_username text := coalesce(p_username, caller);
  job_database text := coalesce(p_database, current_database());
  new_jobid bigint;
begin
  perform cron._check_schedule(p_schedule);
  if p_username is not null then
    if not cron._is_superuser(caller) then
      raise exception 'must be superuser to create a job for another role';
    end if;
    perform cron._check_job_role(p_username);
  end if;
  perform cron._check_connect(job_username, job_database);

  if p_jobname is null then
    insert into cron.job (schedule, command, database, username, active)
    values (p_schedule, p_command, job_database, job_username, p_active)
    returning jobid into new_jobid;
  else
    insert into cron.job (schedule, command, database, username, active, jobname)
    values (p_schedule, p_command, job_database, job_username, p_active, p_jobname)
    on conflict on constraint jobname_username_uniq do update
      set schedule = excluded.schedule, command = excluded.command, database = excluded.database
    returning jobid into new_jobid;
  end if;
  return new_jobid;
end;
$$;

create function cron.schedule(schedule text, command text)
returns bigint
language sql
strict
set search_path = ''
as $$
  select cron._schedule_job(null, schedule, command, null, null, true);
$$;

comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule(job_name text, schedule text, command text)
returns bigint
language plpgsql
set search_path = ''
as $$
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  elsif schedule is null then
    raise exception 'schedule can not be NULL';
  elsif command is null then
    raise exception 'command can not be NULL';
  end if;
  return cron._schedule_job(job_name, schedule, command, null, null, true);
end;
$$;

comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(
  job_name text,
  schedule text,
  command text,
  database text,
  username text default null,
  active boolean default true
)
returns bigint
language plpgsql
set search_path = ''
as $$
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  elsif schedule is null then
    raise exception 'schedule can not be NULL';
  elsif command is null then
    raise exception 'command can not be NULL';
  end if;
  return cron._schedule_job(job_name, schedule, command, database, username, coalesce(active, true));
end;
$$;

comment on function cron.schedule_in_database(text, text, text, text, text, boolean)
  is 'schedule a pg_cron job';

create function cron.unschedule(job_id bigint)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
  job_owner text;
begin
  select username into job_owner from cron.job where jobid = job_id for update;
  if not found then
    raise exception 'could not find valid entry for job %', job_id;
  end if;
  -- someone else's job needs DELETE on cron.job, as in pg_cron
  if lower(job_owner) <> lower(caller)
    and not has_table_privilege(caller, 'cron.job', 'DELETE') then
    raise exception using errcode = 'insufficient_privilege', message = 'permission denied for table job';
  end if;
  delete from cron.job where jobid = job_id;
  return true;
end;
$$;

comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
begin
  delete from cron.job where jobname = job_name and username = cron._caller();
  if not found then
    raise exception 'could not find valid entry for job ''%''', job_name;
  end if;
  return true;
end;
$$;

comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(
  job_id bigint,
  schedule text default null,
  command text default null,
  database text default null,
  username text default null,
  active boolean default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
  caller_is_superuser boolean := cron._is_superuser(caller);
begin
  if job_id is null then
    raise exception 'job_id can not be NULL';
  end if;
  if alter_job.username is not null then
    if not caller_is_superuser then
      raise exception 'must be superuser to alter username';
    end if;
    perform cron._check_job_role(alter_job.username);
  end if;
  if alter_job.database is not null then
    perform cron._check_connect(coalesce(alter_job.username, caller), alter_job.database);
  end if;
  if alter_job.schedule is not null then
    perform cron._check_schedule(alter_job.schedule);
  end if;
  if num_nonnulls(alter_job.schedule, alter_job.command, alter_job.database,
                  alter_job.username, alter_job.active) = 0 then
    raise exception 'no updates specified'
      using hint = 'You must specify at least one job attribute to change when calling alter_job';
  end if;

  update cron.job j
  set schedule = coalesce(alter_job.schedule, j.schedule),
      command = coalesce(alter_job.command, j.command),
      database = coalesce(alter_job.database, j.database),
      username = coalesce(alter_job.username, j.username),
      active = coalesce(alter_job.active, j.active)
  where j.jobid = alter_job.job_id
    and (caller_is_superuser or j.username = caller);
  if not found then
    raise exception 'Job % does not exist or you don''t own it', job_id;
  end if;
end;
$$;

comment on function cron.alter_job(bigint, text, text, text, text, boolean)
  is 'Alter the job identified by job_id. Any option left as NULL will not be modified.';
