-- Finished jobs no longer stay forever: a nightly purge removes those that succeeded, failed or
-- were canceled more than 30 days ago (dead ones wait for an operator).
-- Touches: private.job_retention (new), private.purge_finished_jobs (new), cron job jobs-purge.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.job_retention()
 RETURNS interval
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select interval '30 days';
$function$
;

CREATE OR REPLACE FUNCTION private.purge_finished_jobs()
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  with purged as (
    delete from public.jobs j
    where j.status in ('succeeded', 'failed', 'canceled')
      and j.finished_at < now() - private.job_retention()
    returning 1
  )
  select count(*)::integer from purged;
$function$
;

comment on function private.job_retention() is 'How long a succeeded, failed or canceled job is kept after it finished; dead jobs wait for an operator.';
comment on function private.purge_finished_jobs() is 'Deletes jobs finished (succeeded, failed, canceled) longer ago than private.job_retention(); nightly.';

revoke all on function private.job_retention() from public, anon, authenticated, service_role;
revoke all on function private.purge_finished_jobs() from public, anon, authenticated, service_role;

select cron.schedule('jobs-purge', '47 3 * * *', 'select private.purge_finished_jobs()');
