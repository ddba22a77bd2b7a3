create view admin.webhook_endpoints as
select e.id, e.org_id, o.name as organization, e.url, e.preset, e.event_types, e.enabled, e.disabled_reason,
       e.failing_since,
       count(d.id) filter (where d.status = 'pending') as pending,
       count(d.id) filter (where d.status = 'dead') as dead,
       max(d.delivered_at) as last_delivered_at
from public.webhook_endpoints e
join public.organizations o on o.id = e.org_id
left join public.webhook_deliveries d on d.endpoint_id = e.id
group by e.id, o.name
order by e.failing_since nulls last, e.created_at;

comment on view admin.webhook_endpoints is
  'Every organization''s webhook endpoints with their backlog: failing ones first.';
