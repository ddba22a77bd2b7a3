create view admin.job_backlog as
select j.kind, j.priority,
       count(*) filter (where j.status = 'queued' and j.run_after <= now()) as waiting,
       count(*) filter (where j.status = 'queued' and j.run_after > now()) as retrying_later,
       count(*) filter (where j.status = 'running') as running,
       min(j.created_at) filter (where j.status = 'queued' and j.run_after <= now()) as oldest_waiting_since,
       now() - min(j.created_at) filter (where j.status = 'queued' and j.run_after <= now()) as oldest_waiting_for,
       count(distinct j.org_id) as organizations
from public.jobs j
where j.status in ('queued', 'running')
group by j.kind, j.priority
order by j.priority, j.kind;

comment on view admin.job_backlog is
  'Jobs waiting and running, by kind and priority: how many, and since when the oldest waits.';
