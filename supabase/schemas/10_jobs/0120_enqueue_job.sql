create function private.enqueue_job(org_id uuid, kind text, params jsonb, idempotency_key text)
returns public.jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  needed public.org_role;
begin
  select k.role into needed from private.job_kinds k where k.name = enqueue_job.kind;
  -- Membership first: an outsider learns nothing about the kinds.
  perform private.require_org_role(enqueue_job.org_id, coalesce(needed, 'viewer'));
  return private.submit_job(
    enqueue_job.org_id, enqueue_job.kind, coalesce(enqueue_job.params, '{}'), enqueue_job.idempotency_key,
    'interactive', auth.uid()
  );
end;
$$;

grant execute on function private.enqueue_job(uuid, text, jsonb, text) to authenticated;

create function public.enqueue_job(
  org_id uuid,
  kind text,
  params jsonb default '{}',
  idempotency_key text default null
)
returns public.jobs
language sql
set search_path = ''
as $$
  select * from private.enqueue_job(org_id, kind, params, idempotency_key);
$$;

comment on function public.enqueue_job is
  'Queues a background job of a kind the caller''s role allows; the same idempotency key returns the same job. See docs/jobs.md.';

grant execute on function public.enqueue_job(uuid, text, jsonb, text) to authenticated;
