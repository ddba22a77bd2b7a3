create table private.job_failures (
  org_id uuid not null references public.organizations (id) on delete cascade,
  job text not null,
  failures integer not null default 1,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now(),
  error_code text not null,
  error_message text not null,
  primary key (org_id, job)
);

alter table private.job_failures enable row level security;

comment on table private.job_failures is
  'Organizations a scheduled job failed for, until a run succeeds for them again; read through admin.failing_jobs.';
