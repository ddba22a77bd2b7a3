-- Background jobs: a job row per organization, two pgmq queues, a worker function called by a
-- pg_cron dispatcher and after each enqueue, retries with backoff, a dead state, operator views.
-- Touches: public.jobs, enqueue_job, cancel_job (new); private job_runs, job_kinds,
-- diagnostic_probe_steps and the worker's functions; admin job views and RPCs; cron jobs-dispatch.

create type "public"."job_priority" as enum ('interactive', 'scheduled');

-- pgmq's own function creates the queues (on hosted the tables belong to the extension).
select pgmq.create('jobs');

select pgmq.create('jobs_scheduled');

create type "public"."job_status" as enum ('queued', 'running', 'succeeded', 'failed', 'canceled', 'dead');

  create table "private"."diagnostic_probe_steps" (
    "job_id" uuid not null,
    "org_id" uuid not null,
    "step" integer not null,
    "runs" integer not null default 1,
    "first_ran_at" timestamp with time zone not null default clock_timestamp(),
    "last_ran_at" timestamp with time zone not null default clock_timestamp()
      );

alter table "private"."diagnostic_probe_steps" enable row level security;

  create table "private"."job_runs" (
    "job_id" uuid not null,
    "org_id" uuid not null,
    "queue" text not null,
    "msg_id" bigint not null,
    "state" jsonb,
    "leased_until" timestamp with time zone,
    "lease" uuid,
    "error_detail" text
      );

alter table "private"."job_runs" enable row level security;

  create table "public"."jobs" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "kind" text not null,
    "params" jsonb not null default '{}'::jsonb,
    "status" job_status not null default 'queued'::job_status,
    "priority" job_priority not null default 'interactive'::job_priority,
    "progress" numeric(5,4) not null default 0,
    "progress_message" text,
    "attempts" integer not null default 0,
    "max_attempts" integer not null,
    "run_after" timestamp with time zone not null default now(),
    "last_error_code" text,
    "last_error_message" text,
    "result" jsonb,
    "requested_by" uuid,
    "idempotency_key" text,
    "created_at" timestamp with time zone not null default now(),
    "started_at" timestamp with time zone,
    "finished_at" timestamp with time zone,
    "updated_at" timestamp with time zone not null default now()
      );

alter table "public"."jobs" enable row level security;

CREATE INDEX diagnostic_probe_steps_org_id_idx ON private.diagnostic_probe_steps USING btree (org_id);

CREATE UNIQUE INDEX diagnostic_probe_steps_pkey ON private.diagnostic_probe_steps USING btree (job_id, step);

CREATE INDEX job_runs_leased_until_idx ON private.job_runs USING btree (leased_until) WHERE (leased_until IS NOT NULL);

CREATE INDEX job_runs_org_id_idx ON private.job_runs USING btree (org_id);

CREATE UNIQUE INDEX job_runs_pkey ON private.job_runs USING btree (job_id);

CREATE UNIQUE INDEX job_runs_queue_msg_id_idx ON private.job_runs USING btree (queue, msg_id);

CREATE INDEX jobs_org_id_active_idx ON public.jobs USING btree (org_id, status) WHERE (status = ANY (ARRAY['queued'::job_status, 'running'::job_status]));

CREATE INDEX jobs_org_id_created_at_idx ON public.jobs USING btree (org_id, created_at DESC);

CREATE UNIQUE INDEX jobs_org_id_id_key ON public.jobs USING btree (org_id, id);

CREATE UNIQUE INDEX jobs_org_id_idempotency_key_key ON public.jobs USING btree (org_id, idempotency_key);

CREATE UNIQUE INDEX jobs_pkey ON public.jobs USING btree (id);

alter table "private"."diagnostic_probe_steps" add constraint "diagnostic_probe_steps_pkey" PRIMARY KEY using index "diagnostic_probe_steps_pkey";

alter table "private"."job_runs" add constraint "job_runs_pkey" PRIMARY KEY using index "job_runs_pkey";

alter table "public"."jobs" add constraint "jobs_pkey" PRIMARY KEY using index "jobs_pkey";

alter table "private"."diagnostic_probe_steps" add constraint "diagnostic_probe_steps_org_id_job_id_fkey" FOREIGN KEY (org_id, job_id) REFERENCES jobs(org_id, id) ON DELETE CASCADE not valid;

alter table "private"."diagnostic_probe_steps" validate constraint "diagnostic_probe_steps_org_id_job_id_fkey";

alter table "private"."job_runs" add constraint "job_runs_error_detail_check" CHECK ((length(error_detail) <= 4000)) not valid;

alter table "private"."job_runs" validate constraint "job_runs_error_detail_check";

alter table "private"."job_runs" add constraint "job_runs_org_id_job_id_fkey" FOREIGN KEY (org_id, job_id) REFERENCES jobs(org_id, id) ON DELETE CASCADE not valid;

alter table "private"."job_runs" validate constraint "job_runs_org_id_job_id_fkey";

alter table "public"."jobs" add constraint "jobs_attempts_check" CHECK ((attempts >= 0)) not valid;

alter table "public"."jobs" validate constraint "jobs_attempts_check";

alter table "public"."jobs" add constraint "jobs_idempotency_key_check" CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200))) not valid;

alter table "public"."jobs" validate constraint "jobs_idempotency_key_check";

alter table "public"."jobs" add constraint "jobs_kind_check" CHECK (((length(kind) >= 1) AND (length(kind) <= 100))) not valid;

alter table "public"."jobs" validate constraint "jobs_kind_check";

alter table "public"."jobs" add constraint "jobs_last_error_code_check" CHECK ((length(last_error_code) <= 100)) not valid;

alter table "public"."jobs" validate constraint "jobs_last_error_code_check";

alter table "public"."jobs" add constraint "jobs_last_error_message_check" CHECK ((length(last_error_message) <= 2000)) not valid;

alter table "public"."jobs" validate constraint "jobs_last_error_message_check";

alter table "public"."jobs" add constraint "jobs_max_attempts_check" CHECK (((max_attempts >= 1) AND (max_attempts <= 25))) not valid;

alter table "public"."jobs" validate constraint "jobs_max_attempts_check";

alter table "public"."jobs" add constraint "jobs_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."jobs" validate constraint "jobs_org_id_fkey";

alter table "public"."jobs" add constraint "jobs_org_id_id_key" UNIQUE using index "jobs_org_id_id_key";

alter table "public"."jobs" add constraint "jobs_org_id_idempotency_key_key" UNIQUE using index "jobs_org_id_idempotency_key_key";

alter table "public"."jobs" add constraint "jobs_params_check" CHECK (((jsonb_typeof(params) = 'object'::text) AND (pg_column_size(params) <= 16384))) not valid;

alter table "public"."jobs" validate constraint "jobs_params_check";

alter table "public"."jobs" add constraint "jobs_progress_check" CHECK (((progress >= (0)::numeric) AND (progress <= (1)::numeric))) not valid;

alter table "public"."jobs" validate constraint "jobs_progress_check";

alter table "public"."jobs" add constraint "jobs_progress_message_check" CHECK ((length(progress_message) <= 500)) not valid;

alter table "public"."jobs" validate constraint "jobs_progress_message_check";

alter table "public"."jobs" add constraint "jobs_requested_by_fkey" FOREIGN KEY (requested_by) REFERENCES auth.users(id) ON DELETE SET NULL not valid;

alter table "public"."jobs" validate constraint "jobs_requested_by_fkey";

alter table "public"."jobs" add constraint "jobs_result_check" CHECK ((pg_column_size(result) <= 65536)) not valid;

alter table "public"."jobs" validate constraint "jobs_result_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION admin.cancel_job(job_id uuid)
 RETURNS jobs
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  job public.jobs;
begin
  select * into job from public.jobs j where j.id = cancel_job.job_id for update;
  if job.id is null then
    raise sqlstate 'PT404' using message = 'JOB_NOT_FOUND', detail = format('No job %s.', cancel_job.job_id);
  end if;
  if job.status not in ('queued', 'running') then
    return job;
  end if;
  return private.stop_job(job.id, 'canceled');
end;
$function$
;

create or replace view "admin"."dead_jobs" as  SELECT j.id,
    j.kind,
    j.status,
    j.org_id,
    o.name AS organization,
    j.attempts,
    j.max_attempts,
    j.last_error_code,
    j.last_error_message,
    r.error_detail,
    j.params,
    j.requested_by,
    j.created_at,
    j.finished_at
   FROM ((jobs j
     JOIN organizations o ON ((o.id = j.org_id)))
     LEFT JOIN private.job_runs r ON ((r.job_id = j.id)))
  WHERE (j.status = ANY (ARRAY['dead'::job_status, 'failed'::job_status]))
  ORDER BY j.finished_at DESC;

create or replace view "admin"."job_backlog" as  SELECT kind,
    priority,
    count(*) FILTER (WHERE ((status = 'queued'::job_status) AND (run_after <= now()))) AS waiting,
    count(*) FILTER (WHERE ((status = 'queued'::job_status) AND (run_after > now()))) AS retrying_later,
    count(*) FILTER (WHERE (status = 'running'::job_status)) AS running,
    min(created_at) FILTER (WHERE ((status = 'queued'::job_status) AND (run_after <= now()))) AS oldest_waiting_since,
    (now() - min(created_at) FILTER (WHERE ((status = 'queued'::job_status) AND (run_after <= now())))) AS oldest_waiting_for,
    count(DISTINCT org_id) AS organizations
   FROM jobs j
  WHERE (status = ANY (ARRAY['queued'::job_status, 'running'::job_status]))
  GROUP BY kind, priority
  ORDER BY priority, kind;

create or replace view "admin"."job_failures_by_kind" as  SELECT kind,
    count(*) FILTER (WHERE (status = 'dead'::job_status)) AS dead,
    count(*) FILTER (WHERE (status = 'failed'::job_status)) AS failed,
    count(*) FILTER (WHERE ((status = 'queued'::job_status) AND (last_error_code IS NOT NULL))) AS retrying,
    count(*) FILTER (WHERE (status = 'succeeded'::job_status)) AS succeeded,
    max(updated_at) FILTER (WHERE (status = ANY (ARRAY['dead'::job_status, 'failed'::job_status]))) AS last_failed_at,
    (array_agg(last_error_code ORDER BY updated_at DESC) FILTER (WHERE (status = ANY (ARRAY['dead'::job_status, 'failed'::job_status]))))[1] AS last_error_code
   FROM jobs j
  WHERE (created_at > (now() - '7 days'::interval))
  GROUP BY kind
  ORDER BY (count(*) FILTER (WHERE (status = 'dead'::job_status))) DESC, (count(*) FILTER (WHERE (status = 'failed'::job_status))) DESC, kind;

create or replace view "admin"."job_queues" as  SELECT queue_name,
    queue_length,
    oldest_msg_age_sec,
    newest_msg_age_sec,
    total_messages
   FROM pgmq.metrics_all() m(queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec, total_messages, scrape_time)
  WHERE (queue_name = ANY (ARRAY['jobs'::text, 'jobs_scheduled'::text]));

CREATE OR REPLACE FUNCTION admin.retry_job(job_id uuid)
 RETURNS jobs
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  job public.jobs;
  run private.job_runs;
begin
  update public.jobs j
  set status = 'queued', attempts = 0, run_after = now(), finished_at = null, updated_at = now()
  where j.id = retry_job.job_id and j.status in ('dead', 'failed', 'canceled')
  returning * into job;
  if job.id is null then
    raise sqlstate 'PT409' using message = 'JOB_NOT_RETRYABLE',
      detail = format('Job %s is not dead, failed or canceled.', retry_job.job_id);
  end if;
  select * into run from private.job_runs r where r.job_id = job.id;
  update private.job_runs r
  set msg_id = m.id, leased_until = null, lease = null
  from pgmq.send(run.queue, jsonb_build_object('job_id', job.id)) as m (id)
  where r.job_id = job.id;
  perform private.broadcast_job(job);
  perform private.kick_jobs_worker();
  return job;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.broadcast_job(job jobs)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select realtime.send(
    jsonb_build_object(
      'job_id', job.id, 'kind', job.kind, 'status', job.status,
      'progress', job.progress, 'progress_message', job.progress_message,
      'attempts', job.attempts, 'max_attempts', job.max_attempts, 'run_after', job.run_after,
      'updated_at', job.updated_at,
      'last_error_code', job.last_error_code, 'result', job.result
    ),
    'job', 'org:' || job.org_id, true
  );
$function$
;

CREATE OR REPLACE FUNCTION private.cancel_job(job_id uuid)
 RETURNS jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  job public.jobs;
  caller uuid := private.require_user();
begin
  select * into job from public.jobs j where j.id = cancel_job.job_id for update;
  if job.id is null or not private.has_org_role(job.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'JOB_NOT_FOUND', detail = format('No job %s.', cancel_job.job_id);
  end if;
  if job.requested_by is distinct from caller then
    perform private.require_org_role(job.org_id, 'admin');
  end if;
  if job.status not in ('queued', 'running') then
    return job; -- already over: canceling it again changes nothing
  end if;
  return private.stop_job(job.id, 'canceled');
end;
$function$
;

CREATE OR REPLACE FUNCTION private.claim_job(lease_seconds integer)
 RETURNS TABLE(job_id uuid, org_id uuid, kind text, params jsonb, attempts integer, max_attempts integer, requested_by uuid, state jsonb, lease uuid)
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  queue_name text;
  msg pgmq.message_record;
  job public.jobs;
  run private.job_runs;
  read_any boolean;
  scanned integer := 0;
  chosen boolean := false;
begin
  foreach queue_name in array array['jobs', 'jobs_scheduled'] loop
    loop
      read_any := false;
      for msg in select * from pgmq.read(queue_name, lease_seconds, 20) loop
        read_any := true;
        scanned := scanned + 1;
        if chosen then
          perform pgmq.set_vt(queue_name, msg.msg_id, 0);
          continue;
        end if;
        select * into run from private.job_runs r where r.msg_id = msg.msg_id and r.queue = queue_name;
        select * into job from public.jobs j where j.id = run.job_id for update;
        if job.id is null or job.status not in ('queued', 'running') then
          perform pgmq.delete(queue_name, msg.msg_id);
          continue;
        end if;
        if job.status = 'queued' and job.run_after > now() then
          perform pgmq.set_vt(queue_name, msg.msg_id, ceil(extract(epoch from job.run_after - now()))::integer);
          continue;
        end if;
        if job.status = 'queued' then
          -- One claim at a time per organization, so two workers cannot both take the last slot.
          perform pg_advisory_xact_lock(hashtextextended('jobs:' || job.org_id::text, 0));
          if (select count(*) from public.jobs j where j.org_id = job.org_id and j.status = 'running')
             >= private.job_org_concurrency() then
            perform pgmq.set_vt(queue_name, msg.msg_id, 3 + floor(random() * 3)::integer);
            continue;
          end if;
          update public.jobs j
          set status = 'running', attempts = j.attempts + 1, started_at = coalesce(j.started_at, now()), updated_at = now()
          where j.id = job.id
          returning * into job;
        elsif run.leased_until is not null then
          update public.jobs j
          set attempts = j.attempts + 1, last_error_code = 'JOB_STALLED', updated_at = now(),
              last_error_message = 'The worker running this job stopped before saving its progress; resuming from the last checkpoint.'
          where j.id = job.id
          returning * into job;
          if job.attempts > job.max_attempts then
            perform private.stop_job(job.id, 'dead');
            continue;
          end if;
        end if;
        update private.job_runs r
        set leased_until = now() + make_interval(secs => lease_seconds), lease = gen_random_uuid()
        where r.job_id = job.id
        returning * into run;
        perform private.broadcast_job(job);
        chosen := true;
        job_id := job.id;
        org_id := job.org_id;
        kind := job.kind;
        params := job.params;
        attempts := job.attempts;
        max_attempts := job.max_attempts;
        requested_by := job.requested_by;
        state := run.state;
        lease := run.lease;
      end loop;
      exit when chosen or not read_any or scanned >= 200;
    end loop;
    if chosen then
      return next;
      return;
    end if;
  end loop;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.dispatch_jobs()
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- Jobs with a run row: one inserted around submit_job has no message, and no worker could take it.
  if exists (select from public.jobs j join private.job_runs r on r.job_id = j.id
             where (j.status = 'queued' and j.run_after <= now())
                or (j.status = 'running' and (r.leased_until is null or r.leased_until < now()))) then
    perform private.kick_jobs_worker();
    return true;
  end if;
  return false;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.enqueue_job(org_id uuid, kind text, params jsonb, idempotency_key text)
 RETURNS jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  needed public.org_role;
begin
  select k.role into needed from private.job_kinds k where k.name = enqueue_job.kind;
  -- Membership first: an outsider learns nothing about the kinds.
  perform private.require_org_role(enqueue_job.org_id, coalesce(needed, 'viewer'));
  return private.submit_job(
    enqueue_job.org_id, enqueue_job.kind, coalesce(enqueue_job.params, '{}'), enqueue_job.idempotency_key,
    'interactive', auth.uid()
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.fail_job(job_id uuid, lease uuid, error_code text, error_message text, error_detail text, retryable boolean)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  held boolean;
  job public.jobs;
  run private.job_runs;
  delay interval;
begin
  select * into job from public.jobs j where j.id = fail_job.job_id for update;
  select r.lease = fail_job.lease into held from private.job_runs r where r.job_id = fail_job.job_id for update;
  if not coalesce(held, false) then
    return 'lost';
  end if;
  if job.status <> 'running' then
    return job.status::text;
  end if;
  update public.jobs j
  set last_error_code = left(fail_job.error_code, 100), last_error_message = left(fail_job.error_message, 2000)
  where j.id = job.id;
  update private.job_runs r set error_detail = left(fail_job.error_detail, 4000) where r.job_id = job.id;
  if not retryable then
    perform private.stop_job(job.id, 'failed');
    return 'failed';
  end if;
  if job.attempts >= job.max_attempts then
    perform private.stop_job(job.id, 'dead');
    return 'dead';
  end if;
  delay := private.retry_delay((select k.retry_base_seconds from private.job_kinds k where k.name = job.kind), job.attempts);
  update public.jobs j
  set status = 'queued', run_after = now() + delay, updated_at = now()
  where j.id = job.id
  returning * into job;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = job.id
  returning * into run;
  perform pgmq.set_vt(run.queue, run.msg_id, ceil(extract(epoch from delay))::integer);
  perform private.broadcast_job(job);
  perform private.wake_next_job(job.org_id);
  return 'queued';
end;
$function$
;

CREATE OR REPLACE FUNCTION private.finish_job(job_id uuid, lease uuid, result jsonb)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  held boolean;
  job public.jobs;
begin
  select * into job from public.jobs j where j.id = finish_job.job_id for update;
  select r.lease = finish_job.lease into held from private.job_runs r where r.job_id = finish_job.job_id for update;
  if not coalesce(held, false) then
    return 'lost';
  end if;
  if job.status <> 'running' then
    return job.status::text;
  end if;
  update private.job_runs r set state = null where r.job_id = finish_job.job_id;
  perform private.stop_job(job.id, 'succeeded', finish_job.result);
  return 'succeeded';
end;
$function$
;

create or replace view "private"."job_kinds" as  SELECT name,
    role,
    max_attempts,
    retry_base_seconds,
    description
   FROM ( VALUES ('diagnostics.probe'::text,'member'::org_role,4,1,'Diagnostic: runs `steps` steps (one row each in private.diagnostic_probe_steps), can fail its first `fail_times` runs, sleep `step_ms` per step, or hang once at `hang_at_step` past the worker''s step limit; shows that retries, recovery and progress work.'::text), ('maintenance.rebuild_totals'::text,'admin'::org_role,3,30,'Recomputes the organization''s statistics from its transactions (private.rebuild_monthly_totals).'::text)) k(name, role, max_attempts, retry_base_seconds, description);

CREATE OR REPLACE FUNCTION private.job_org_concurrency()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select 2;
$function$
;

CREATE OR REPLACE FUNCTION private.job_worker_limit()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select 8;
$function$
;

CREATE OR REPLACE FUNCTION private.kick_jobs_worker()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  project_url text;
  secret_key text;
begin
  if current_setting('westwallet.jobs_worker_kicked', true) = 'on'
     or (select count(*) from private.job_runs r where r.leased_until > now()) >= private.job_worker_limit() then
    return;
  end if;
  select max(s.decrypted_secret) filter (where s.name = 'project_url'),
         max(s.decrypted_secret) filter (where s.name = 'secret_key')
  into project_url, secret_key
  from vault.decrypted_secrets s
  where s.name in ('project_url', 'secret_key');
  if project_url is null or secret_key is null then
    raise warning 'jobs: the vault secrets project_url and secret_key are not both set; no worker is called';
    return;
  end if;
  perform set_config('westwallet.jobs_worker_kicked', 'on', true);
  perform net.http_post(
    url := project_url || '/functions/v1/jobs-worker',
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || secret_key),
    body := '{}'::jsonb,
    -- The worker answers when its time budget is spent, within a minute.
    timeout_milliseconds := 90000
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.release_job(job_id uuid, lease uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  run private.job_runs;
begin
  perform from public.jobs j where j.id = release_job.job_id for update;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = release_job.job_id and r.lease = release_job.lease
  returning * into run;
  if found then
    perform pgmq.set_vt(run.queue, run.msg_id, 0);
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.retry_delay(base_seconds integer, failures integer)
 RETURNS interval
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select make_interval(secs => least(base_seconds * power(2, greatest(failures, 1) - 1), 3600) * (0.5 + random() / 2));
$function$
;

CREATE OR REPLACE FUNCTION private.save_job_step(job_id uuid, lease uuid, state jsonb, progress numeric, progress_message text, lease_seconds integer)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  job public.jobs;
  run private.job_runs;
begin
  -- The job's row before its run row, in every function, so two of them never deadlock.
  perform from public.jobs j where j.id = save_job_step.job_id for update;
  select * into run from private.job_runs r where r.job_id = save_job_step.job_id for update;
  if run.lease is distinct from save_job_step.lease then
    return 'lost';
  end if;
  update public.jobs j
  set progress = least(greatest(coalesce(save_job_step.progress, j.progress), 0), 1),
      progress_message = left(save_job_step.progress_message, 500), updated_at = now()
  where j.id = save_job_step.job_id and j.status = 'running'
  returning * into job;
  if job.id is null then
    return (select j.status::text from public.jobs j where j.id = save_job_step.job_id);
  end if;
  update private.job_runs r
  set state = save_job_step.state, leased_until = now() + make_interval(secs => lease_seconds)
  where r.job_id = save_job_step.job_id;
  perform pgmq.set_vt(run.queue, run.msg_id, lease_seconds);
  perform private.broadcast_job(job);
  return 'running';
end;
$function$
;

CREATE OR REPLACE FUNCTION private.stop_job(job_id uuid, status job_status, result jsonb DEFAULT NULL::jsonb)
 RETURNS jobs
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  job public.jobs;
  run private.job_runs;
begin
  update public.jobs j
  set status = stop_job.status, finished_at = now(), updated_at = now(),
      result = coalesce(stop_job.result, j.result),
      progress = case when stop_job.status = 'succeeded' then 1 else j.progress end
  where j.id = stop_job.job_id
  returning * into job;
  update private.job_runs r set leased_until = null, lease = null
  where r.job_id = stop_job.job_id
  returning * into run;
  perform pgmq.delete(run.queue, run.msg_id);
  perform private.broadcast_job(job);
  perform private.wake_next_job(job.org_id);
  return job;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.submit_job(org_id uuid, kind text, params jsonb, idempotency_key text, priority job_priority, requested_by uuid)
 RETURNS jobs
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  job_kind private.job_kinds;
  job public.jobs;
  queue text := case submit_job.priority when 'interactive' then 'jobs' else 'jobs_scheduled' end;
begin
  select * into job_kind from private.job_kinds k where k.name = submit_job.kind;
  if not found then
    raise sqlstate 'PT400' using message = 'JOB_KIND_UNKNOWN', detail = format('No job kind %s.', submit_job.kind);
  end if;
  if submit_job.params is null or jsonb_typeof(submit_job.params) <> 'object' then
    raise sqlstate 'PT400' using message = 'JOB_PARAMS_INVALID', detail = 'The parameters must be a JSON object.';
  end if;

  insert into public.jobs as j (org_id, kind, params, priority, max_attempts, requested_by, idempotency_key)
  values (submit_job.org_id, submit_job.kind, submit_job.params, submit_job.priority, job_kind.max_attempts,
          submit_job.requested_by, submit_job.idempotency_key)
  on conflict on constraint jobs_org_id_idempotency_key_key do nothing
  returning * into job;

  if job.id is null then
    select * into job from public.jobs j
    where j.org_id = submit_job.org_id and j.idempotency_key = submit_job.idempotency_key;
    if job.kind <> submit_job.kind or job.params <> submit_job.params then
      raise sqlstate 'PT409' using message = 'IDEMPOTENCY_CONFLICT',
        detail = format('The key %s was used for another job (%s).', submit_job.idempotency_key, job.id);
    end if;
    return job;
  end if;

  insert into private.job_runs (job_id, org_id, queue, msg_id)
  select job.id, job.org_id, queue, m.id
  from pgmq.send(queue, jsonb_build_object('job_id', job.id)) as m (id);
  perform private.broadcast_job(job);
  perform private.kick_jobs_worker();
  return job;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.wake_next_job(org_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  run private.job_runs;
begin
  select r.* into run
  from public.jobs j
  join private.job_runs r on r.job_id = j.id
  where j.org_id = wake_next_job.org_id and j.status = 'queued' and j.run_after <= now()
  order by j.priority, j.created_at
  limit 1;
  if found then
    perform pgmq.set_vt(run.queue, run.msg_id, 0);
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.cancel_job(job_id uuid)
 RETURNS jobs
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select * from private.cancel_job(job_id);
$function$
;

CREATE OR REPLACE FUNCTION public.enqueue_job(org_id uuid, kind text, params jsonb DEFAULT '{}'::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS jobs
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select * from private.enqueue_job(org_id, kind, params, idempotency_key);
$function$
;

grant select on table "public"."jobs" to "authenticated";

grant delete on table "public"."jobs" to "service_role";

grant insert on table "public"."jobs" to "service_role";

grant references on table "public"."jobs" to "service_role";

grant select on table "public"."jobs" to "service_role";

grant trigger on table "public"."jobs" to "service_role";

grant truncate on table "public"."jobs" to "service_role";

grant update on table "public"."jobs" to "service_role";

  create policy "members read their organization's jobs"
  on "public"."jobs"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));

comment on function admin.cancel_job(pg_catalog.uuid) is 'Cancels any queued or running job; a running one stops at its next step.';
comment on function admin.retry_job(pg_catalog.uuid) is 'Runs a dead, failed or canceled job again from its last checkpoint, with its attempts reset.';
comment on function private.broadcast_job(public.jobs) is 'Broadcasts a job''s status and progress to its organization''s topic (event job).';
comment on function private.claim_job(integer) is 'For the jobs-worker: the next job that may run now, leased for lease_seconds; none when nothing may run.';
comment on function private.dispatch_jobs() is 'Calls the jobs-worker when work is waiting (pg_cron, every second); answers whether it did.';
comment on function private.fail_job(pg_catalog.uuid,pg_catalog.uuid,pg_catalog.text,pg_catalog.text,pg_catalog.text,boolean) is 'For the jobs-worker: a step failed; the job is retried after a backoff, or ends failed (not retryable) or dead (last attempt).';
comment on function private.finish_job(pg_catalog.uuid,pg_catalog.uuid,pg_catalog.jsonb) is 'For the jobs-worker: the job succeeded with this result.';
comment on function private.job_org_concurrency() is 'How many jobs of one organization run at once; the rest wait their turn.';
comment on function private.job_worker_limit() is 'How many jobs-worker invocations may hold a job at once; no worker is called beyond it.';
comment on function private.kick_jobs_worker() is 'Calls the jobs-worker function after commit (pg_net), at most once per transaction.';
comment on function private.release_job(pg_catalog.uuid,pg_catalog.uuid) is 'For the jobs-worker: gives a running job back to the queue between steps, to go on in the next invocation.';
comment on function private.retry_delay(integer,integer) is 'How long a job waits before its next attempt: exponential in the failures so far, with jitter.';
comment on function private.save_job_step(pg_catalog.uuid,pg_catalog.uuid,pg_catalog.jsonb,numeric,pg_catalog.text,integer) is 'For the jobs-worker: saves a step''s checkpoint and progress; answers running, lost or the job''s final status.';
comment on function private.stop_job(pg_catalog.uuid,public.job_status,pg_catalog.jsonb) is 'Gives a job its final status, takes its message off the queue and lets the organization''s next job start.';
comment on function private.submit_job(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,public.job_priority,pg_catalog.uuid) is 'Creates a job and queues it (no role check: callers check). Schedules call it with priority scheduled.';
comment on function private.wake_next_job(pg_catalog.uuid) is 'Makes the organization''s next waiting job visible in its queue, when one of its running jobs ends.';
comment on function public.cancel_job(pg_catalog.uuid) is 'Cancels a queued or running job: members their own, admins any of the organization''s. A running job stops at its next step.';
comment on function public.enqueue_job(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text) is 'Queues a background job of a kind the caller''s role allows; the same idempotency key returns the same job. See docs/jobs.md.';
comment on table private.diagnostic_probe_steps is 'What each diagnostics.probe job did: one row per step, with how often it ran.';
comment on table private.job_runs is 'Per job: its queue message, its checkpoint and the worker''s lease. Never readable by members.';
comment on table public.jobs is 'Background jobs of an organization (exports, reports, maintenance): members read them; public.enqueue_job and public.cancel_job change them; the jobs-worker function runs them. See docs/jobs.md.';
comment on type public.job_priority is 'Interactive jobs (a member asked) run before scheduled ones.';
comment on type public.job_status is 'Where a background job stands; see docs/jobs.md.';
comment on view admin.dead_jobs is 'Jobs that ended dead (every attempt failed) or failed (an error retrying cannot fix), newest first; admin.retry_job runs one again.';
comment on view admin.job_backlog is 'Jobs waiting and running, by kind and priority: how many, and since when the oldest waits.';
comment on view admin.job_failures_by_kind is 'Per job kind over the last seven days: dead, failed, retrying and succeeded jobs, and the last error.';
comment on view admin.job_queues is 'The jobs'' pgmq queues: messages in them (visible or held by a worker) and the oldest one''s age.';
comment on view private.job_kinds is 'Job kinds: the role that may enqueue each, its attempts and first retry delay. The worker''s registry must name the same kinds.';

revoke all on function admin.cancel_job(uuid) from public, anon, authenticated, service_role;
revoke all on function admin.retry_job(uuid) from public, anon, authenticated, service_role;
revoke all on function private.broadcast_job(public.jobs) from public, anon, authenticated, service_role;
revoke all on function private.cancel_job(uuid) from public, anon, authenticated, service_role;
grant execute on function private.cancel_job(uuid) to authenticated;
revoke all on function private.claim_job(integer) from public, anon, authenticated, service_role;
revoke all on function private.dispatch_jobs() from public, anon, authenticated, service_role;
revoke all on function private.enqueue_job(uuid,text,jsonb,text) from public, anon, authenticated, service_role;
grant execute on function private.enqueue_job(uuid,text,jsonb,text) to authenticated;
revoke all on function private.fail_job(uuid,uuid,text,text,text,boolean) from public, anon, authenticated, service_role;
revoke all on function private.finish_job(uuid,uuid,jsonb) from public, anon, authenticated, service_role;
revoke all on function private.job_org_concurrency() from public, anon, authenticated, service_role;
revoke all on function private.job_worker_limit() from public, anon, authenticated, service_role;
revoke all on function private.kick_jobs_worker() from public, anon, authenticated, service_role;
revoke all on function private.release_job(uuid,uuid) from public, anon, authenticated, service_role;
revoke all on function private.retry_delay(integer,integer) from public, anon, authenticated, service_role;
revoke all on function private.save_job_step(uuid,uuid,jsonb,numeric,text,integer) from public, anon, authenticated, service_role;
revoke all on function private.stop_job(uuid,public.job_status,jsonb) from public, anon, authenticated, service_role;
revoke all on function private.submit_job(uuid,text,jsonb,text,public.job_priority,uuid) from public, anon, authenticated, service_role;
revoke all on function private.wake_next_job(uuid) from public, anon, authenticated, service_role;
revoke all on function public.cancel_job(uuid) from public, anon, authenticated, service_role;
grant execute on function public.cancel_job(uuid) to authenticated, service_role;
revoke all on function public.enqueue_job(uuid,text,jsonb,text) from public, anon, authenticated, service_role;
grant execute on function public.enqueue_job(uuid,text,jsonb,text) to authenticated, service_role;

select cron.schedule('jobs-dispatch', '1 seconds', 'select private.dispatch_jobs()');
