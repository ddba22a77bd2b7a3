create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (length(kind) between 1 and 100),
  params jsonb not null default '{}' check (jsonb_typeof(params) = 'object' and pg_column_size(params) <= 16384),
  status public.job_status not null default 'queued',
  priority public.job_priority not null default 'interactive',
  -- A fraction of the work done, and what a screen shows beside it.
  progress numeric(5, 4) not null default 0 check (progress between 0 and 1),
  progress_message text check (length(progress_message) <= 500),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null check (max_attempts between 1 and 25),
  -- Not before: a retry's backoff.
  run_after timestamptz not null default now(),
  last_error_code text check (length(last_error_code) <= 100),
  last_error_message text check (length(last_error_message) <= 2000),
  -- What the job made: counts, a Storage path.
  result jsonb check (pg_column_size(result) <= 65536),
  requested_by uuid references auth.users (id) on delete set null,
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  unique (org_id, idempotency_key)
);

comment on table public.jobs is
  'Background jobs of an organization (exports, reports, maintenance): members read them; public.enqueue_job and public.cancel_job change them; the jobs-worker function runs them. See docs/jobs.md.';

create index jobs_org_id_created_at_idx on public.jobs (org_id, created_at desc);

-- The dispatcher's and the fairness check's question: what waits or runs, per organization.
create index jobs_org_id_active_idx on public.jobs (org_id, status) where status in ('queued', 'running');

alter table public.jobs enable row level security;

create policy "members read their organization's jobs" on public.jobs
  for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

-- Writes go through enqueue_job and cancel_job; the worker connects directly.
grant select on public.jobs to authenticated;
