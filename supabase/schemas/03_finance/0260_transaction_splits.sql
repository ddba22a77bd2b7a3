create table public.transaction_splits (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  position smallint not null check (position between 1 and 100),
  category_id uuid not null,
  amount_minor bigint not null check (amount_minor > 0),
  note text check (char_length(note) <= 500),
  unique (transaction_id, position),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade,
  foreign key (org_id, category_id) references public.categories (org_id, id)
);

comment on table public.transaction_splits is
  'The parts of a split transaction, each with its category; they always sum to the transaction''s amount. Written only through set_transaction_splits().';

alter table public.transaction_splits enable row level security;

create policy "members read splits" on public.transaction_splits for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.transaction_splits to authenticated;

create index transaction_splits_org_id_category_idx on public.transaction_splits (org_id, category_id);

select private.track_changes('public.transaction_splits');

alter table public.transaction_splits
  add constraint transaction_splits_amount_minor_range check (private.amount_in_range(amount_minor));
