-- Credits for metered AI usage: an append-only ledger and a balance kept in the same transaction.
--
-- Every grant and every use is a row of credit_ledger; nobody updates or deletes one (not even
-- service_role; in SQL a trigger refuses too). A before-insert trigger locks the organization's
-- credit_balances row, refuses to go below zero (INSUFFICIENT_CREDITS) and writes the new balance
-- into both, so concurrent debits queue on that row and the balance always equals the sum of the
-- ledger, whichever path inserts. An idempotency key is charged once per organization.
-- A new organization starts with app_settings.trial_credits; paying organizations get their
-- plan's monthly allowance once per calendar month (a daily job, idempotent per month); a balance
-- falling below app_settings.low_credit_threshold leaves a notice in private.billing_notices
-- for the reminders to come. Unused credits carry over; the `expiry` kind is for a later policy.
-- Touches: credit_kind, credit_ledger, credit_balances, private.billing_notices, organizations
-- (trigger), cron.job.

create type public.credit_kind as enum ('grant', 'monthly_refill', 'purchase', 'usage', 'adjustment', 'expiry');

create table public.credit_balances (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  balance bigint not null default 0 check (balance >= 0),
  updated_at timestamptz not null default now()
);
comment on table public.credit_balances is
  'Each organization''s credits: the sum of its credit_ledger rows, kept by the ledger''s trigger in the same transaction.';

create table public.credit_ledger (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  amount bigint not null check (amount <> 0),
  kind public.credit_kind not null,
  reason text check (char_length(reason) <= 500),
  -- What the credits were for or came from: an invoice, an AI job, ...
  reference text check (char_length(reference) <= 200),
  idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  -- Set by the trigger: the balance after this row.
  balance_after bigint not null default 0 check (balance_after >= 0),
  actor_id uuid default auth.uid(),
  created_at timestamptz not null default now(),
  unique (org_id, idempotency_key),
  check (kind = 'adjustment' or (amount > 0) = (kind in ('grant', 'monthly_refill', 'purchase')))
);
comment on table public.credit_ledger is
  'Every grant and use of credits, append-only; admins read their organization''s. A balance is the sum of its rows.';
create index credit_ledger_org_id_id_idx on public.credit_ledger (org_id, id);

create table private.billing_notices (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (kind in ('credits_low', 'trial_will_end', 'payment_failed')),
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  handled_at timestamptz
);
comment on table private.billing_notices is
  'Billing events someone should hear about (low credits, a trial ending, a failed payment): the outbox reminders read.';
create index billing_notices_pending_idx on private.billing_notices (created_at) where handled_at is null;
create index billing_notices_org_id_idx on private.billing_notices (org_id, created_at);

alter table public.credit_balances enable row level security;
alter table public.credit_ledger enable row level security;
create policy "members read their organization's credit balance" on public.credit_balances
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));
create policy "admins read their organization's credit ledger" on public.credit_ledger
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));
grant select on public.credit_balances, public.credit_ledger to authenticated;
-- Rows come only through private.post_credits() (and its trigger).
revoke insert, update, delete, truncate on public.credit_ledger, public.credit_balances from service_role;

-- The balance, kept by the ledger ----------------------------------------------------------

create function private.apply_credit_entry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before bigint;
  threshold bigint;
begin
  -- Concurrent entries of one organization queue here.
  select b.balance into before from public.credit_balances b where b.org_id = new.org_id for update;
  if not found then
    insert into public.credit_balances (org_id) values (new.org_id) on conflict (org_id) do nothing;
    select b.balance into before from public.credit_balances b where b.org_id = new.org_id for update;
  end if;
  if before + new.amount < 0 then
    raise sqlstate 'PT402' using message = 'INSUFFICIENT_CREDITS',
      detail = format('The balance is %s credits; this needs %s.', before, -new.amount);
  end if;
  new.balance_after := before + new.amount;
  new.created_at := now();
  update public.credit_balances b set balance = new.balance_after, updated_at = now() where b.org_id = new.org_id;

  select s.low_credit_threshold into threshold from public.app_settings s;
  if before >= threshold and new.balance_after < threshold then
    insert into private.billing_notices (org_id, kind, payload)
    values (new.org_id, 'credits_low', jsonb_build_object('balance', new.balance_after, 'threshold', threshold));
  end if;
  return new;
end;
$$;

create trigger apply_credit_entry before insert on public.credit_ledger
  for each row execute function private.apply_credit_entry();

create function private.credit_ledger_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deleting an organization takes its ledger with it; nothing else removes or rewrites a row.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  raise sqlstate 'PT403' using message = 'LEDGER_APPEND_ONLY', detail = 'Ledger rows are never changed or deleted; post a correcting entry.';
end;
$$;

create trigger append_only before update or delete on public.credit_ledger
  for each row execute function private.credit_ledger_append_only();

-- Posting ---------------------------------------------------------------------------------

-- The one way rows are written: once per idempotency key (the same key and amount answers the
-- row written the first time; another amount or kind is IDEMPOTENCY_CONFLICT).
create function private.post_credits(
  org_id uuid,
  amount bigint,
  kind public.credit_kind,
  reason text,
  reference text,
  idempotency_key text
)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
declare
  entry public.credit_ledger;
begin
  if amount is null or amount = 0 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'amount: a whole number of credits other than 0';
  end if;
  -- Lock the balance first, so the key check and the insert see every earlier entry.
  perform from public.credit_balances b where b.org_id = post_credits.org_id for update;
  if not found then
    if not exists (select from public.organizations o where o.id = post_credits.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    insert into public.credit_balances (org_id) values (post_credits.org_id) on conflict do nothing;
  end if;
  if idempotency_key is not null then
    select * into entry from public.credit_ledger l
    where l.org_id = post_credits.org_id and l.idempotency_key = post_credits.idempotency_key;
    if found then
      if (entry.amount, entry.kind) is distinct from (amount, kind) then
        raise sqlstate 'PT409' using message = 'IDEMPOTENCY_CONFLICT',
          detail = format('Key %L was used for %s credits (%s).', idempotency_key, entry.amount, entry.kind);
      end if;
      return entry;
    end if;
  end if;
  insert into public.credit_ledger (org_id, amount, kind, reason, reference, idempotency_key)
  values (org_id, amount, kind, nullif(btrim(reason), ''), reference, idempotency_key)
  returning * into entry;
  return entry;
end;
$$;

-- For edge functions and trusted servers: spends `amount` credits or fails with INSUFFICIENT_CREDITS.
create function private.use_credits(org_id uuid, amount bigint, reason text, idempotency_key text)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if amount is null or amount <= 0 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'amount: the credits to use, more than 0';
  end if;
  return private.post_credits(org_id, -amount, 'usage', reason, null, idempotency_key);
end;
$$;

create function public.use_credits(org_id uuid, amount bigint, reason text, idempotency_key text default null)
returns public.credit_ledger
language sql
set search_path = ''
as $$
  select * from private.use_credits(org_id, amount, reason, idempotency_key);
$$;
comment on function public.use_credits is
  'Trusted servers (secret key) spend credits: once per idempotency key, never below zero (INSUFFICIENT_CREDITS).';

create function private.adjust_credits(org_id uuid, amount bigint, reason text, idempotency_key text)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_platform_admin();
  if nullif(btrim(reason), '') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'reason: say why the credits change';
  end if;
  return private.post_credits(org_id, amount, 'adjustment', reason, null, idempotency_key);
end;
$$;

create function public.adjust_credits(org_id uuid, amount bigint, reason text, idempotency_key text default null)
returns public.credit_ledger
language sql
set search_path = ''
as $$
  select * from private.adjust_credits(org_id, amount, reason, idempotency_key);
$$;
comment on function public.adjust_credits is 'Platform admins add (or with a negative amount take) credits, with a reason.';

grant execute on function public.use_credits(uuid, bigint, text, text), private.use_credits(uuid, bigint, text, text)
to service_role;
grant execute on function public.adjust_credits(uuid, bigint, text, text), private.adjust_credits(uuid, bigint, text, text)
to authenticated;

-- Trial credits and monthly allowances -----------------------------------------------------

create function private.open_credit_account()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  credits bigint := (select s.trial_credits from public.app_settings s);
begin
  insert into public.credit_balances (org_id) values (new.id);
  if credits > 0 then
    perform private.post_credits(new.id, credits, 'grant', 'Trial credits', null, 'trial-grant');
  end if;
  return null;
end;
$$;

create trigger open_credit_account after insert on public.organizations
  for each row execute function private.open_credit_account();

insert into public.credit_balances (org_id) select o.id from public.organizations o;
select private.post_credits(o.id, s.trial_credits, 'grant', 'Trial credits', null, 'trial-grant')
from public.organizations o cross join public.app_settings s
where s.trial_credits > 0;

-- Gives each paying organization its plan's allowance for the month of `day`, once: running
-- it again in the same month changes nothing. Returns how many organizations got credits.
create function private.refill_monthly_credits(day date default current_date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  month text := to_char(day, 'YYYY-MM');
  refilled integer := 0;
  paying record;
begin
  for paying in
    select s.org_id, p.name, p.monthly_credits
    from public.subscriptions s join public.plans p on p.id = s.plan_id
    where s.status in ('active', 'canceling') and s.suspended_at is null and p.monthly_credits > 0
      and not exists (select from public.credit_ledger l where l.org_id = s.org_id and l.idempotency_key = 'refill:' || month)
  loop
    perform private.post_credits(
      paying.org_id, paying.monthly_credits, 'monthly_refill',
      format('%s plan allowance for %s', paying.name, month), null, 'refill:' || month
    );
    refilled := refilled + 1;
  end loop;
  return refilled;
end;
$$;

-- Daily, so an organization that starts paying mid-month gets its allowance the next night.
select cron.schedule('credits-monthly-refill', '13 0 * * *', 'select private.refill_monthly_credits()');
