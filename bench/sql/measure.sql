-- What the harness reads in every request, beside the clock.

-- Nanoseconds this backend has spent runnable but waiting for a CPU since it started (Linux
-- /proc/self/schedstat, second field; null elsewhere). The difference across a request is the
-- part of its database time spent queued behind other work on a busy machine, not running it.
create function bench.run_queue_ns()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  return split_part(pg_read_file('/proc/self/schedstat'), ' ', 2)::bigint;
exception
  when others then
    return null;
end;
$$;
-- Requests read it as `authenticated`, after set_config('role', ...).
grant usage on schema bench to authenticated;
grant execute on function bench.run_queue_ns() to authenticated;

-- Bytes this backend has made the kernel fetch from storage since it started (Linux
-- /proc/self/io, read_bytes; null elsewhere): what neither shared_buffers nor the kernel's page
-- cache held. Read before the clock starts and after it stops, so it costs the request nothing.
create function bench.storage_read_bytes()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  return substring(pg_read_file('/proc/self/io') from 'read_bytes: (\d+)')::bigint;
exception
  when others then
    return null;
end;
$$;
grant execute on function bench.storage_read_bytes() to authenticated;
