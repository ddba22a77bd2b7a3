-- One row of settings for outbound webhooks, read by the SQL below and by webhooks-send at each
-- batch. The defaults are the production ones; a development stack allows loopback receivers,
-- and tests shorten the schedule instead of waiting hours.
create table private.webhook_settings (
  singleton boolean primary key default true check (singleton),
  -- Receivers on 127.0.0.0/8 and ::1 (local development only). Private, link-local and cloud
  -- metadata addresses stay refused whatever this says.
  allow_loopback boolean not null default false,
  -- When attempt n (1-based) fails, attempt n + 1 comes retry_schedule[n + 1] later; after the
  -- last the delivery is dead. Svix's: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  retry_schedule interval[] not null default
    array['0 s', '5 s', '5 min', '30 min', '2 h', '5 h', '10 h', '10 h']::interval[]
    check (cardinality(retry_schedule) between 1 and 20),
  -- An endpoint failing without a success for this long is disabled and its admins told.
  disable_after interval not null default '5 days' check (disable_after >= '0 s'),
  -- Per attempt: a receiver that has not answered after this is a failure.
  timeout_ms integer not null default 15000 check (timeout_ms between 100 and 60000),
  -- The circuit breaker per endpoint: open after this many failures in a row, probe after this.
  breaker_failures integer not null default 5 check (breaker_failures between 1 and 100),
  breaker_half_open_seconds integer not null default 60 check (breaker_half_open_seconds between 1 and 86400)
);

comment on table private.webhook_settings is
  'Outbound webhook settings (one row): loopback receivers, retry schedule, disable-after, timeout, breaker (docs/webhooks.md).';

insert into private.webhook_settings default values;

alter table private.webhook_settings enable row level security;
