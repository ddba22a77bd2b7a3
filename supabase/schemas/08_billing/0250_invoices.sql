create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  stripe_invoice_id text not null unique,
  stripe_subscription_id text,
  number text,
  -- Stripe's: draft, open, paid, uncollectible, void.
  status text not null,
  currency text not null references public.currencies (code),
  amount_due bigint not null default 0,
  amount_paid bigint not null default 0,
  total bigint not null default 0,
  period_start timestamptz,
  period_end timestamptz,
  hosted_invoice_url text,
  invoice_pdf text,
  issued_at timestamptz,
  stripe_event_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.invoices is
  'Stripe invoices of each organization (amounts in minor units of `currency`), written by the webhook; owners and admins read them.';

create index invoices_org_id_issued_at_idx on public.invoices (org_id, issued_at desc);

create trigger touch_updated_at before update on public.invoices
  for each row execute function private.touch_updated_at();

alter table public.invoices enable row level security;

create policy "admins read their organization's invoices" on public.invoices
  for select to authenticated using (org_id = any ((select private.org_ids_with_role('admin'))::uuid[]));

grant select on public.invoices to authenticated;

alter table public.invoices
  add constraint invoices_amount_due_range check (private.amount_in_range(amount_due)),
  add constraint invoices_amount_paid_range check (private.amount_in_range(amount_paid)),
  add constraint invoices_total_range check (private.amount_in_range(total));
