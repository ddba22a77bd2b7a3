create type public.chat_role as enum ('user', 'assistant');

create table public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  conversation_id uuid not null,
  user_id uuid not null,
  role public.chat_role not null,
  content text not null check (length(content) between 1 and 20000),
  -- The caller's key for the message it sent (its answer carries the same), one per user and
  -- organization: a retry with the key replays the stored answer instead of asking and charging.
  idempotency_key text not null check (length(idempotency_key) between 8 and 120),
  -- The tools the model called for an answer: name, arguments and whether they answered.
  tool_calls jsonb not null default '[]' check (jsonb_typeof(tool_calls) = 'array' and pg_column_size(tool_calls) <= 16384),
  credits integer not null default 0 check (credits between 0 and 1000),
  created_at timestamptz not null default now(),
  unique (org_id, user_id, idempotency_key, role),
  foreign key (org_id, conversation_id, user_id)
    references public.chat_conversations (org_id, id, user_id) on delete cascade
);

comment on table public.chat_messages is
  'The messages of AI chat conversations: what the user asked and the answer, stored together once the answer is complete and paid for. Only the conversation''s user reads them. See docs/ai-chat.md.';

create index chat_messages_org_id_conversation_id_created_at_idx
  on public.chat_messages (org_id, conversation_id, created_at);

alter table public.chat_messages enable row level security;

create policy "users read the messages of their own conversations" on public.chat_messages
  for select to authenticated
  using (user_id = (select auth.uid()) and org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]));

grant select on public.chat_messages to authenticated;
