-- Exponential backoff with "equal jitter", for everything that retries (jobs, outbox mail): the
-- n-th retry waits between half and all of base·growth^(n-1), at most an hour, so delays grow and
-- retries of many rows do not arrive together.
create function private.retry_delay(base_seconds integer, failures integer, growth integer default 2)
returns interval
language sql
volatile
set search_path = ''
as $$
  select make_interval(
    secs => least(base_seconds * power(growth, greatest(failures, 1) - 1), 3600) * (0.5 + random() / 2)
  );
$$;

comment on function private.retry_delay(integer, integer, integer) is
  'How long to wait before the next attempt: exponential in the failures so far, with jitter, at most an hour.';
