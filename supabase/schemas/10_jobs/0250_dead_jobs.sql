create view admin.dead_jobs as
select j.id, j.kind, j.status, j.org_id, o.name as organization, j.attempts, j.max_attempts,
       j.last_error_code, j.last_error_message, r.error_detail, j.params, j.requested_by, j.created_at,
       j.finished_at
from public.jobs j
join public.organizations o on o.id = j.org_id
left join private.job_runs r on r.job_id = j.id
where j.status in ('dead', 'failed')
order by j.finished_at desc;

comment on view admin.dead_jobs is
  'Jobs that ended dead (every attempt failed) or failed (an error retrying cannot fix), newest first; admin.retry_job runs one again.';
