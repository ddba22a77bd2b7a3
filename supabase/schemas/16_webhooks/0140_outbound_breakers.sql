-- Circuit breaker state of outbound calls (webhook endpoints, the mail provider, Stripe), kept
-- here because each function invocation is a new process: cockatiel's breaker state as it
-- serializes it (supabase/functions/_shared/outbound/policy.ts), per key (`webhook:<endpoint>`,
-- `mail:resend`, `stripe`). Concurrent invocations write last-one-wins: a breaker may open a
-- call or two late, never stay open for good.
create table private.outbound_breakers (
  key text primary key check (length(key) between 1 and 200),
  state jsonb not null,
  -- Open or half-open: calls are refused until then (cockatiel's half-open time), for operators.
  open_until timestamptz,
  updated_at timestamptz not null default now()
);

comment on table private.outbound_breakers is
  'Shared circuit breaker state of outbound calls, per key; admin.outbound_breakers shows it.';

alter table private.outbound_breakers enable row level security;

create view admin.outbound_breakers as
select b.key, b.state ->> 'kind' as kind, b.open_until, b.updated_at, b.state
from private.outbound_breakers b
order by b.updated_at desc;

comment on view admin.outbound_breakers is 'Circuit breakers of outbound calls: which are open and until when.';
