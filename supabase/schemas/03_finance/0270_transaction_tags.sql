create table public.transaction_tags (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  transaction_id uuid not null,
  tag_id uuid not null,
  unique (transaction_id, tag_id),
  foreign key (org_id, transaction_id) references public.transactions (org_id, id) on delete cascade,
  foreign key (org_id, tag_id) references public.tags (org_id, id) on delete cascade
);

comment on table public.transaction_tags is 'Which tags a transaction carries.';

alter table public.transaction_tags enable row level security;

create policy "members read transaction tags" on public.transaction_tags for select to authenticated
  using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

create policy "members tag transactions" on public.transaction_tags for insert to authenticated
  with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

create policy "members untag transactions" on public.transaction_tags for delete to authenticated
  using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));

grant select, delete on public.transaction_tags to authenticated;

grant insert (org_id, transaction_id, tag_id) on public.transaction_tags to authenticated;

create index transaction_tags_org_id_tag_idx on public.transaction_tags (org_id, tag_id, transaction_id);

select private.track_changes('public.transaction_tags');
