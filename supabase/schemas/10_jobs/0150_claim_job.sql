-- The worker's next job. Reads the interactive queue, then the scheduled one, a batch at a time
-- with a visibility timeout, and takes the first message whose job may run now:
-- - a job that is over (or a stray message) leaves the queue;
-- - a retry not yet due is hidden until its time;
-- - a job whose organization already runs its limit is hidden a few seconds (wake_next_job
--   shows it again as soon as a slot frees), so the scan goes on to other organizations;
-- - a running job whose message reappeared with its lease still set was left by a worker that
--   died: that counts as a failed attempt (JOB_STALLED), and it resumes from its checkpoint.
-- The messages read but not taken are given back. The lease token guards every later write.
create function private.claim_job(lease_seconds integer)
returns table (
  job_id uuid,
  org_id uuid,
  kind text,
  params jsonb,
  attempts integer,
  max_attempts integer,
  requested_by uuid,
  state jsonb,
  lease uuid
)
language plpgsql
set search_path = ''
as $$
declare
  queue_name text;
  msg pgmq.message_record;
  job public.jobs;
  run private.job_runs;
  read_any boolean;
  scanned integer := 0;
  chosen boolean := false;
begin
  foreach queue_name in array array['jobs', 'jobs_scheduled'] loop
    loop
      read_any := false;
      for msg in select * from pgmq.read(queue_name, lease_seconds, 20) loop
        read_any := true;
        scanned := scanned + 1;
        if chosen then
          perform pgmq.set_vt(queue_name, msg.msg_id, 0);
          continue;
        end if;
        select * into run from private.job_runs r where r.msg_id = msg.msg_id and r.queue = queue_name;
        select * into job from public.jobs j where j.id = run.job_id for update;
        if job.id is null or job.status not in ('queued', 'running') then
          perform pgmq.delete(queue_name, msg.msg_id);
          continue;
        end if;
        if job.status = 'queued' and job.run_after > now() then
          perform pgmq.set_vt(queue_name, msg.msg_id, ceil(extract(epoch from job.run_after - now()))::integer);
          continue;
        end if;
        if job.status = 'queued' then
          -- One claim at a time per organization, so two workers cannot both take the last slot.
          perform pg_advisory_xact_lock(hashtextextended('jobs:' || job.org_id::text, 0));
          if (select count(*) from public.jobs j where j.org_id = job.org_id and j.status = 'running')
             >= private.job_org_concurrency() then
            perform pgmq.set_vt(queue_name, msg.msg_id, 3 + floor(random() * 3)::integer);
            continue;
          end if;
          update public.jobs j
          set status = 'running', attempts = j.attempts + 1, started_at = coalesce(j.started_at, now()), updated_at = now()
          where j.id = job.id
          returning * into job;
        elsif run.leased_until is not null then
          update public.jobs j
          set attempts = j.attempts + 1, last_error_code = 'JOB_STALLED', updated_at = now(),
              last_error_message = 'The worker running this job stopped before saving its progress; resuming from the last checkpoint.'
          where j.id = job.id
          returning * into job;
          if job.attempts > job.max_attempts then
            perform private.stop_job(job.id, 'dead');
            continue;
          end if;
        end if;
        update private.job_runs r
        set leased_until = now() + make_interval(secs => lease_seconds), lease = gen_random_uuid()
        where r.job_id = job.id
        returning * into run;
        perform private.broadcast_job(job);
        chosen := true;
        job_id := job.id;
        org_id := job.org_id;
        kind := job.kind;
        params := job.params;
        attempts := job.attempts;
        max_attempts := job.max_attempts;
        requested_by := job.requested_by;
        state := run.state;
        lease := run.lease;
      end loop;
      exit when chosen or not read_any or scanned >= 200;
    end loop;
    if chosen then
      return next;
      return;
    end if;
  end loop;
end;
$$;

comment on function private.claim_job(integer) is
  'For the jobs-worker: the next job that may run now, leased for lease_seconds; none when nothing may run.';
