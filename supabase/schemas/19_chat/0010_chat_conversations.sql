create table public.chat_conversations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- Whose chat it is: only this user reads it, whatever their role. Leaving the organization
  -- (the membership row goes) takes their chats about its money with them.
  user_id uuid not null,
  title text not null check (length(title) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  -- Messages point here with their user too, so their policy needs no join.
  unique (org_id, id, user_id),
  foreign key (org_id, user_id) references public.memberships (org_id, user_id) on delete cascade
);

comment on table public.chat_conversations is
  'A user''s conversations with the AI chat about one organization (POST /functions/v1/ai-chat writes them); only that user reads them, an owner included. See docs/ai-chat.md.';

create index chat_conversations_org_id_user_id_updated_at_idx
  on public.chat_conversations (org_id, user_id, updated_at desc);

alter table public.chat_conversations enable row level security;

create policy "users read their own conversations" on public.chat_conversations
  for select to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

create policy "users delete their own conversations" on public.chat_conversations
  for delete to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

-- Written by the ai-chat function's own connection (a message and its answer, together, charged).
grant select, delete on public.chat_conversations to authenticated;
