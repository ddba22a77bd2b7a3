-- What only the worker needs: the checkpoint (which may be large, and may hold what members of
-- the organization should not read), the job's pgmq message and the lease on it.
create table private.job_runs (
  job_id uuid primary key,
  org_id uuid not null,
  queue text not null,
  msg_id bigint not null,
  -- The state to resume from, saved after each step; null before the first step.
  state jsonb,
  -- Until when a worker holds the job; null while no worker does. A job found running with a
  -- lease set was left by a worker that died.
  leased_until timestamptz,
  -- The holding worker's token: a worker whose lease ran out and was taken over cannot save.
  lease uuid,
  -- The last unexpected error as the worker caught it, for operators only: members read
  -- jobs.last_error_message, which never carries internals.
  error_detail text check (length(error_detail) <= 4000),
  foreign key (org_id, job_id) references public.jobs (org_id, id) on delete cascade
);

create index job_runs_org_id_idx on private.job_runs (org_id);

-- How many workers hold a job now (private.kick_jobs_worker asks every second).
create index job_runs_leased_until_idx on private.job_runs (leased_until) where leased_until is not null;

-- The worker finds a message's job by it.
create unique index job_runs_queue_msg_id_idx on private.job_runs (queue, msg_id);

alter table private.job_runs enable row level security;

comment on table private.job_runs is
  'Per job: its queue message, its checkpoint and the worker''s lease. Never readable by members.';
