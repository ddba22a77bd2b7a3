-- Exponential backoff with "equal jitter": the n-th retry waits between half and all of
-- base·2^(n-1), at most an hour, so delays grow and retries of many jobs do not arrive together.
create function private.retry_delay(base_seconds integer, failures integer)
returns interval
language sql
volatile
set search_path = ''
as $$
  select make_interval(secs => least(base_seconds * power(2, greatest(failures, 1) - 1), 3600) * (0.5 + random() / 2));
$$;

comment on function private.retry_delay(integer, integer) is
  'How long a job waits before its next attempt: exponential in the failures so far, with jitter.';
