create table private.diagnostic_probe_steps (
  job_id uuid not null,
  org_id uuid not null,
  step integer not null,
  -- More than 1: the step ran again after a worker died before saving its checkpoint.
  runs integer not null default 1,
  first_ran_at timestamptz not null default clock_timestamp(),
  last_ran_at timestamptz not null default clock_timestamp(),
  primary key (job_id, step),
  foreign key (org_id, job_id) references public.jobs (org_id, id) on delete cascade
);

create index diagnostic_probe_steps_org_id_idx on private.diagnostic_probe_steps (org_id);

alter table private.diagnostic_probe_steps enable row level security;

comment on table private.diagnostic_probe_steps is
  'What each diagnostics.probe job did: one row per step, with how often it ran.';
