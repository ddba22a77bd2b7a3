-- How many jobs of one organization may be running at once, so that one organization's flood
-- leaves room for the others.
create function private.job_org_concurrency()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 2;
$$;

comment on function private.job_org_concurrency() is
  'How many jobs of one organization run at once; the rest wait their turn.';

-- How many workers may hold a job at once (each holds one at a time): the dispatcher and the
-- kicks call no more, which bounds the database connections the workers open.
create function private.job_worker_limit()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 8;
$$;

comment on function private.job_worker_limit() is
  'How many jobs-worker invocations may hold a job at once; no worker is called beyond it.';
