create view admin.job_failures_by_kind as
select j.kind,
       count(*) filter (where j.status = 'dead') as dead,
       count(*) filter (where j.status = 'failed') as failed,
       count(*) filter (where j.status = 'queued' and j.last_error_code is not null) as retrying,
       count(*) filter (where j.status = 'succeeded') as succeeded,
       max(j.updated_at) filter (where j.status in ('dead', 'failed')) as last_failed_at,
       (array_agg(j.last_error_code order by j.updated_at desc) filter (where j.status in ('dead', 'failed')))[1]
         as last_error_code
from public.jobs j
where j.created_at > now() - interval '7 days'
group by j.kind
order by dead desc, failed desc, j.kind;

comment on view admin.job_failures_by_kind is
  'Per job kind over the last seven days: dead, failed, retrying and succeeded jobs, and the last error.';
