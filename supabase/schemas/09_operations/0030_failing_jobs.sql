create view admin.failing_jobs as
select f.job, f.org_id, o.name as organization, f.failures, f.first_failed_at, f.last_failed_at,
       f.error_code, f.error_message
from private.job_failures f
join public.organizations o on o.id = f.org_id
order by f.last_failed_at desc;

comment on view admin.failing_jobs is
  'Scheduled jobs that keep failing for an organization (the others go on): since when, how often, the last error. A row goes once a run succeeds for it.';
