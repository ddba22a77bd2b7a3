-- One-click unsubscribe: every notification mail carries a link (and the List-Unsubscribe
-- headers) with a token naming the user and the kind, signed with a key only the database holds,
-- so a link can neither be forged nor turned against another user or kind.
create table private.unsubscribe_keys (
  id boolean primary key default true check (id),
  key bytea not null default extensions.gen_random_bytes(32)
);

comment on table private.unsubscribe_keys is 'The one key that signs unsubscribe tokens (made when the schema is built).';

alter table private.unsubscribe_keys enable row level security;

insert into private.unsubscribe_keys default values;

-- `<user_id>.<kind>.<hmac-sha256 hex>`; kind `digest` stands for every kind mailed in a digest.
create function private.unsubscribe_token(user_id uuid, kind text)
returns text
language sql
stable
set search_path = ''
as $$
  select user_id::text || '.' || kind || '.'
    || encode(extensions.hmac(convert_to(user_id::text || '.' || kind, 'UTF8'), k.key, 'sha256'), 'hex')
  from private.unsubscribe_keys k;
$$;

comment on function private.unsubscribe_token(uuid, text) is 'The signed token of a user''s unsubscribe link for one kind (or digest).';

-- What the link does: the kind's email becomes off for that user (the digest's: every kind they
-- had in a digest); in-app notifications stay as they were. Answers the kind; a token that does
-- not verify is UNSUBSCRIBE_TOKEN_INVALID. Running it twice changes nothing more.
create function private.unsubscribe(token text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  parts text[] := string_to_array(coalesce(token, ''), '.');
  target_user uuid;
  target_kind text;
begin
  if cardinality(parts) <> 3 or parts[1] !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or private.unsubscribe_token(parts[1]::uuid, parts[2]) is distinct from token then
    raise sqlstate 'PT400' using message = 'UNSUBSCRIBE_TOKEN_INVALID', detail = 'The unsubscribe link is not valid.';
  end if;
  target_user := parts[1]::uuid;
  target_kind := parts[2];
  if not exists (select from auth.users u where u.id = target_user) then
    return target_kind;
  end if;
  insert into public.notification_preferences (user_id, kind, in_app, email)
  select target_user, k.name, c.in_app, 'off'
  from private.notification_kinds k
  cross join lateral private.effective_channels(target_user, k.name) c
  where (target_kind = 'digest' and c.email in ('daily', 'weekly')) or k.name = target_kind
  on conflict on constraint notification_preferences_pkey do update set email = 'off';
  -- Nothing waits in a digest for kinds that are no longer mailed.
  update private.digest_items d set sent_at = now()
  where d.user_id = target_user and d.sent_at is null and (target_kind = 'digest' or d.kind = target_kind);
  return target_kind;
end;
$$;

comment on function private.unsubscribe(text) is
  'Honours an unsubscribe link: email off for the token''s user and kind (digest: all digest kinds); UNSUBSCRIBE_TOKEN_INVALID when forged.';
