-- Restores that committed: the job's organization, written in the same transaction as the
-- restored rows, so a step that runs again after a crash finds it and restores nothing twice.
create table private.restores (
  job_id uuid primary key references public.jobs (id) on delete cascade,
  org_id uuid not null unique references public.organizations (id) on delete cascade,
  summary jsonb not null,
  created_at timestamptz not null default now()
);

comment on table private.restores is 'Committed restores (import.backup): the new organization of each job.';
