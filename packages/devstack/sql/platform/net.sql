-- Stand-in for the pg_net extension (0.19 SQL API) as Supabase ships it: the `net` schema with
-- the request queue, the response table and net.http_get/http_post/http_delete. The local
-- stack applies this file only where pg_net is not installed; its net worker
-- (packages/devstack/src/workers/net.ts) does what pg_net's background worker does: it takes
-- queued requests, sends them and stores each response under the request's id.
--
-- A request is sent only after its transaction commits, as with pg_net: the queue row and the
-- notification that wakes the worker both become visible at commit, and a rollback discards
-- both. The worker-control functions (net.wake, net.worker_restart, net.wait_until_running,
-- net.check_worker_is_up) and the deprecated net.http_collect_response are not provided.

create schema net;

create domain net.http_method as text
check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

-- Unlogged like pg_net's: pending requests and responses do not survive a crash.
create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);

create index on net._http_response (created);

-- NOTIFY is delivered at commit and dropped on rollback: exactly "sent after commit".
create function net._notify_worker()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_notify('devstack_net', new.id::text);
  return null;
end;
$$;

create trigger notify_worker
after insert on net.http_request_queue
for each row execute function net._notify_worker();

-- Percent-encodes everything but RFC 3986 unreserved characters, as curl_easy_escape does.
create function net._urlencode_string(string varchar)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when string is null then null else coalesce(
    (
      select string_agg(
        case
          when b between 48 and 57 or b between 65 and 90 or b between 97 and 122
            or b in (45, 46, 95, 126) then chr(b)
          else '%' || upper(lpad(to_hex(b), 2, '0'))
        end,
        '' order by i
      )
      from (
        select i, get_byte(convert_to(string, 'UTF8'), i) as b
        from generate_series(0, octet_length(convert_to(string, 'UTF8')) - 1) as i
      ) as bytes
    ),
    ''
  ) end;
$$;

-- Appends `key=value` pairs to the URL's query string.
create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when url is null then null
    when cardinality(array_remove(params_array, null)) = 0 then url
    else url
      || case when strpos(url, '?') > 0 then '&' else '?' end
      || array_to_string(array_remove(params_array, null), '&')
  end;
$$;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  return request_id;
end;
$$;

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as r(header_name, header_value)
  where lower(header_name) = 'content-type'
  limit 1;

  -- headers given without a content type still send JSON
  if content_type is null then
    headers := headers || '{"Content-Type": "application/json"}'::jsonb;
  end if;

  if content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'POST',
    net._encode_url_with_params_array(url, params_array),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  return request_id;
end;
$$;

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'DELETE',
    net._encode_url_with_params_array(url, params_array),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  return request_id;
end;
$$;

-- pg_net's own grants: the http_* functions run as their caller and write the queue directly.
-- (Supabase additionally grants usage on net to postgres, anon, authenticated, service_role,
-- which PUBLIC already covers.)
grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
