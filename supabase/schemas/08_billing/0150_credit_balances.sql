create table public.credit_balances (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  balance bigint not null default 0 check (balance >= 0),
  updated_at timestamptz not null default now()
);

comment on table public.credit_balances is
  'Each organization''s credits: the sum of its credit_ledger rows, kept by the ledger''s trigger in the same transaction.';

alter table public.credit_balances enable row level security;

create policy "members read their organization's credit balance" on public.credit_balances
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.credit_balances to authenticated;

revoke insert, update, delete, truncate on public.credit_balances from service_role;
