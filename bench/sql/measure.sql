-- What the harness reads in every request, beside the clock.

-- A number this backend's kernel keeps about it, read from a /proc/self file (Linux; null
-- elsewhere): the first group `pattern` captures. The requests read two of them:
-- - /proc/self/schedstat, second field: nanoseconds spent runnable but waiting for a CPU. Its
--   difference across a request is the part of the database time spent queued behind other
--   work on a busy machine, not running.
-- - /proc/self/io, read_bytes: bytes the kernel fetched from storage for this backend, pages
--   neither shared_buffers nor the page cache held. Read before the clock starts and after it
--   stops, so it costs the request nothing.
create function bench.proc_counter(file text, pattern text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if file not like '/proc/self/%' then
    raise exception 'bench.proc_counter reads /proc/self only, not %', file;
  end if;
  return substring(pg_read_file(file) from pattern)::bigint;
exception
  when others then
    return null;
end;
$$;
-- Requests read it as `authenticated`, after set_config('role', ...).
grant usage on schema bench to authenticated;
grant execute on function bench.proc_counter(text, text) to authenticated;
