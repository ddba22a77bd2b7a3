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
