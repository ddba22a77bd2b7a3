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

alter table public.credit_ledger enable row level security;

create policy "admins read their organization's credit ledger" on public.credit_ledger
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

grant select on public.credit_ledger to authenticated;

revoke insert, update, delete, truncate on public.credit_ledger from service_role;

create trigger apply_credit_entry before insert on public.credit_ledger
  for each row execute function private.apply_credit_entry();

create trigger append_only before update or delete on public.credit_ledger
  for each row execute function private.credit_ledger_append_only();

alter table public.credit_ledger
  add constraint credit_ledger_amount_range check (private.amount_in_range(amount));
