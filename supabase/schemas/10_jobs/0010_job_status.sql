-- queued: waiting for its turn or its retry; running: a worker has begun it (it may span many
-- invocations); succeeded, failed (an error retrying cannot fix: bad parameters, unknown kind),
-- canceled and dead (every attempt failed) are final until an operator retries it.
create type public.job_status as enum ('queued', 'running', 'succeeded', 'failed', 'canceled', 'dead');

comment on type public.job_status is 'Where a background job stands; see docs/jobs.md.';
