-- AI chat: a user's conversations about one organization and their messages, which only that
-- user reads (an owner included); the ai-chat function writes a message and its answer together.
-- Touches: public.chat_role, public.chat_conversations, public.chat_messages (new).

create type "public"."chat_role" as enum ('user', 'assistant');


  create table "public"."chat_conversations" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "user_id" uuid not null,
    "title" text not null,
    "created_at" timestamp with time zone not null default now(),
    "updated_at" timestamp with time zone not null default now()
      );


alter table "public"."chat_conversations" enable row level security;


  create table "public"."chat_messages" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "conversation_id" uuid not null,
    "user_id" uuid not null,
    "role" chat_role not null,
    "content" text not null,
    "idempotency_key" text not null,
    "tool_calls" jsonb not null default '[]'::jsonb,
    "credits" integer not null default 0,
    "created_at" timestamp with time zone not null default now()
      );


alter table "public"."chat_messages" enable row level security;

CREATE UNIQUE INDEX chat_conversations_org_id_id_key ON public.chat_conversations USING btree (org_id, id);

CREATE UNIQUE INDEX chat_conversations_org_id_id_user_id_key ON public.chat_conversations USING btree (org_id, id, user_id);

CREATE INDEX chat_conversations_org_id_user_id_updated_at_idx ON public.chat_conversations USING btree (org_id, user_id, updated_at DESC);

CREATE UNIQUE INDEX chat_conversations_pkey ON public.chat_conversations USING btree (id);

CREATE INDEX chat_messages_org_id_conversation_id_created_at_idx ON public.chat_messages USING btree (org_id, conversation_id, created_at);

CREATE UNIQUE INDEX chat_messages_org_id_user_id_idempotency_key_role_key ON public.chat_messages USING btree (org_id, user_id, idempotency_key, role);

CREATE UNIQUE INDEX chat_messages_pkey ON public.chat_messages USING btree (id);

alter table "public"."chat_conversations" add constraint "chat_conversations_pkey" PRIMARY KEY using index "chat_conversations_pkey";

alter table "public"."chat_messages" add constraint "chat_messages_pkey" PRIMARY KEY using index "chat_messages_pkey";

alter table "public"."chat_conversations" add constraint "chat_conversations_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."chat_conversations" validate constraint "chat_conversations_org_id_fkey";

alter table "public"."chat_conversations" add constraint "chat_conversations_org_id_id_key" UNIQUE using index "chat_conversations_org_id_id_key";

alter table "public"."chat_conversations" add constraint "chat_conversations_org_id_id_user_id_key" UNIQUE using index "chat_conversations_org_id_id_user_id_key";

alter table "public"."chat_conversations" add constraint "chat_conversations_org_id_user_id_fkey" FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE not valid;

alter table "public"."chat_conversations" validate constraint "chat_conversations_org_id_user_id_fkey";

alter table "public"."chat_conversations" add constraint "chat_conversations_title_check" CHECK (((length(title) >= 1) AND (length(title) <= 200))) not valid;

alter table "public"."chat_conversations" validate constraint "chat_conversations_title_check";

alter table "public"."chat_messages" add constraint "chat_messages_content_check" CHECK (((length(content) >= 1) AND (length(content) <= 20000))) not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_content_check";

alter table "public"."chat_messages" add constraint "chat_messages_credits_check" CHECK (((credits >= 0) AND (credits <= 1000))) not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_credits_check";

alter table "public"."chat_messages" add constraint "chat_messages_idempotency_key_check" CHECK (((length(idempotency_key) >= 8) AND (length(idempotency_key) <= 120))) not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_idempotency_key_check";

alter table "public"."chat_messages" add constraint "chat_messages_org_id_conversation_id_user_id_fkey" FOREIGN KEY (org_id, conversation_id, user_id) REFERENCES chat_conversations(org_id, id, user_id) ON DELETE CASCADE not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_org_id_conversation_id_user_id_fkey";

alter table "public"."chat_messages" add constraint "chat_messages_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_org_id_fkey";

alter table "public"."chat_messages" add constraint "chat_messages_org_id_user_id_idempotency_key_role_key" UNIQUE using index "chat_messages_org_id_user_id_idempotency_key_role_key";

alter table "public"."chat_messages" add constraint "chat_messages_tool_calls_check" CHECK (((jsonb_typeof(tool_calls) = 'array'::text) AND (pg_column_size(tool_calls) <= 16384))) not valid;

alter table "public"."chat_messages" validate constraint "chat_messages_tool_calls_check";

grant delete on table "public"."chat_conversations" to "authenticated";

grant select on table "public"."chat_conversations" to "authenticated";

grant delete on table "public"."chat_conversations" to "service_role";

grant insert on table "public"."chat_conversations" to "service_role";

grant references on table "public"."chat_conversations" to "service_role";

grant select on table "public"."chat_conversations" to "service_role";

grant trigger on table "public"."chat_conversations" to "service_role";

grant truncate on table "public"."chat_conversations" to "service_role";

grant update on table "public"."chat_conversations" to "service_role";

grant select on table "public"."chat_messages" to "authenticated";

grant delete on table "public"."chat_messages" to "service_role";

grant insert on table "public"."chat_messages" to "service_role";

grant references on table "public"."chat_messages" to "service_role";

grant select on table "public"."chat_messages" to "service_role";

grant trigger on table "public"."chat_messages" to "service_role";

grant truncate on table "public"."chat_messages" to "service_role";

grant update on table "public"."chat_messages" to "service_role";


  create policy "users delete their own conversations"
  on "public"."chat_conversations"
  as permissive
  for delete
  to authenticated
using (((user_id = ( SELECT auth.uid() AS uid)) AND (org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[]))));



  create policy "users read their own conversations"
  on "public"."chat_conversations"
  as permissive
  for select
  to authenticated
using (((user_id = ( SELECT auth.uid() AS uid)) AND (org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[]))));



  create policy "users read the messages of their own conversations"
  on "public"."chat_messages"
  as permissive
  for select
  to authenticated
using (((user_id = ( SELECT auth.uid() AS uid)) AND (org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[]))));

comment on table public.chat_conversations is 'A user''s conversations with the AI chat about one organization (POST /functions/v1/ai-chat writes them); only that user reads them, an owner included. See docs/ai-chat.md.';
comment on table public.chat_messages is 'The messages of AI chat conversations: what the user asked and the answer, stored together once the answer is complete and paid for. Only the conversation''s user reads them. See docs/ai-chat.md.';
