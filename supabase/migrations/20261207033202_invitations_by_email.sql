-- Invitations by email through the application's mail outbox: inviting writes an outbox mail
-- with a single-use secret (only its hash kept with the invitation), accepting needs that secret;
-- the outbox is sent by the mail-send function, kicked after commit and by a dispatcher.
-- Touches: private.mail_outbox, private.invitation_secrets (new), queue pgmq mail (new),
-- invite_member, accept_invitation (now (invitation_id, secret)), admin.mail_outbox, cron mail-dispatch.

create type "private"."mail_status" as enum ('pending', 'sent', 'dead');

-- The queue's messages carry only an outbox id.
select pgmq.create('mail');

drop function if exists "private"."accept_invitation"(invitation_id uuid);

drop function if exists "public"."accept_invitation"(invitation_id uuid);


  create table "private"."invitation_secrets" (
    "invitation_id" uuid not null,
    "secret_hash" bytea not null
      );


alter table "private"."invitation_secrets" enable row level security;


  create table "private"."mail_outbox" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid,
    "template" text not null,
    "locale" locale not null default 'en'::locale,
    "recipient" text not null,
    "variables" jsonb not null default '{}'::jsonb,
    "idempotency_key" text not null,
    "status" private.mail_status not null default 'pending'::private.mail_status,
    "attempts" integer not null default 0,
    "next_attempt_at" timestamp with time zone not null default now(),
    "locked_until" timestamp with time zone,
    "last_error" text,
    "provider_message_id" text,
    "created_at" timestamp with time zone not null default now(),
    "sent_at" timestamp with time zone,
    "dead_at" timestamp with time zone
      );


alter table "private"."mail_outbox" enable row level security;


CREATE UNIQUE INDEX invitation_secrets_pkey ON private.invitation_secrets USING btree (invitation_id);

CREATE INDEX mail_outbox_due_idx ON private.mail_outbox USING btree (next_attempt_at) WHERE (status = 'pending'::private.mail_status);

CREATE UNIQUE INDEX mail_outbox_idempotency_key_key ON private.mail_outbox USING btree (idempotency_key);

CREATE INDEX mail_outbox_org_id_idx ON private.mail_outbox USING btree (org_id, created_at DESC);

CREATE UNIQUE INDEX mail_outbox_pkey ON private.mail_outbox USING btree (id);

CREATE INDEX mail_outbox_recipient_idx ON private.mail_outbox USING btree (recipient, created_at DESC);


alter table "private"."invitation_secrets" add constraint "invitation_secrets_pkey" PRIMARY KEY using index "invitation_secrets_pkey";

alter table "private"."mail_outbox" add constraint "mail_outbox_pkey" PRIMARY KEY using index "mail_outbox_pkey";

alter table "private"."invitation_secrets" add constraint "invitation_secrets_invitation_id_fkey" FOREIGN KEY (invitation_id) REFERENCES invitations(id) ON DELETE CASCADE not valid;

alter table "private"."invitation_secrets" validate constraint "invitation_secrets_invitation_id_fkey";

alter table "private"."invitation_secrets" add constraint "invitation_secrets_secret_hash_check" CHECK ((length(secret_hash) = 32)) not valid;

alter table "private"."invitation_secrets" validate constraint "invitation_secrets_secret_hash_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_attempts_check" CHECK ((attempts >= 0)) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_attempts_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_check" CHECK (((status = 'sent'::private.mail_status) = (sent_at IS NOT NULL))) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_check1" CHECK (((status = 'dead'::private.mail_status) = (dead_at IS NOT NULL))) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_check1";

alter table "private"."mail_outbox" add constraint "mail_outbox_idempotency_key_key" UNIQUE using index "mail_outbox_idempotency_key_key";

alter table "private"."mail_outbox" add constraint "mail_outbox_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE SET NULL not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_org_id_fkey";

alter table "private"."mail_outbox" add constraint "mail_outbox_recipient_check" CHECK (((recipient = lower(btrim(recipient))) AND (recipient ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text))) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_recipient_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_template_check" CHECK ((template = 'invitation'::text)) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_template_check";

alter table "private"."mail_outbox" add constraint "mail_outbox_variables_check" CHECK ((jsonb_typeof(variables) = 'object'::text)) not valid;

alter table "private"."mail_outbox" validate constraint "mail_outbox_variables_check";

set check_function_bodies = off;

create or replace view "admin"."mail_outbox" as  SELECT m.id,
    m.status,
    m.template,
    m.recipient,
    m.locale,
    m.org_id,
    o.name AS organization,
    m.attempts,
    m.next_attempt_at,
    m.last_error,
    m.provider_message_id,
    m.idempotency_key,
    m.created_at,
    m.sent_at,
    m.dead_at
   FROM (private.mail_outbox m
     LEFT JOIN organizations o ON ((o.id = m.org_id)))
  ORDER BY m.created_at DESC;


CREATE OR REPLACE FUNCTION admin.retry_mail(outbox_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  update private.mail_outbox m
  set status = 'pending', dead_at = null, next_attempt_at = now(), locked_until = null,
      attempts = case when m.status = 'dead' then 0 else m.attempts end
  where m.id = outbox_id and m.status <> 'sent';
  if not found then
    raise sqlstate 'PT404' using message = 'MAIL_NOT_FOUND', detail = 'No such unsent mail.';
  end if;
  perform pgmq.send('mail', jsonb_build_object('outbox_id', outbox_id));
  perform private.kick_mail_send();
end;
$function$
;

CREATE OR REPLACE FUNCTION private.accept_invitation(invitation_id uuid, secret text)
 RETURNS memberships
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  invitation public.invitations;
  joined public.memberships;
  email text;
begin
  perform private.require_user();
  email := private.confirmed_email();
  if email is null then
    raise sqlstate 'PT403' using message = 'EMAIL_NOT_CONFIRMED',
      detail = 'Confirm your email address (the link Auth sent you) before accepting an invitation.';
  end if;
  -- Lock order everywhere: organization first, then its rows.
  select * into invitation from public.invitations i where i.id = invitation_id;
  if invitation.id is null then
    raise sqlstate 'PT404' using message = 'INVITATION_NOT_FOUND', detail = 'No such invitation.';
  end if;
  -- The secret first, so that without it nothing is learnt about the invitation.
  if secret is null or not exists (
    select from private.invitation_secrets s
    where s.invitation_id = accept_invitation.invitation_id and s.secret_hash = sha256(convert_to(secret, 'UTF8'))
  ) then
    raise sqlstate 'PT403' using message = 'INVITATION_SECRET_INVALID',
      detail = 'Open the link from the invitation email: it carries the secret this needs.';
  end if;
  perform private.lock_organization(invitation.org_id);
  select * into invitation from public.invitations i where i.id = invitation_id for update;
  if invitation.email is distinct from email then
    raise sqlstate 'PT403' using message = 'INVITATION_EMAIL_MISMATCH',
      detail = 'The invitation was sent to another email address; sign in with that one.';
  elsif invitation.revoked_at is not null then
    raise sqlstate 'PT410' using message = 'INVITATION_REVOKED', detail = 'The invitation was revoked.';
  elsif invitation.accepted_at is not null then
    raise sqlstate 'PT409' using message = 'INVITATION_ALREADY_USED', detail = 'The invitation was already accepted.';
  elsif invitation.expires_at <= now() then
    raise sqlstate 'PT410' using message = 'INVITATION_EXPIRED', detail = format('The invitation expired at %s.', invitation.expires_at);
  end if;
  if exists (select from public.memberships m where m.org_id = invitation.org_id and m.user_id = auth.uid()) then
    raise sqlstate 'PT409' using message = 'ALREADY_MEMBER', detail = 'You are already a member of this organization.';
  end if;
  update public.invitations i set accepted_at = now(), accepted_by = auth.uid() where i.id = invitation_id;
  insert into public.memberships (org_id, user_id, role, invited_by)
  values (invitation.org_id, auth.uid(), invitation.role, invitation.invited_by)
  returning * into joined;
  return joined;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.claim_mail(outbox_id uuid, lock_seconds integer DEFAULT 60)
 RETURNS private.mail_outbox
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  update private.mail_outbox m
  set attempts = m.attempts + 1, locked_until = now() + make_interval(secs => lock_seconds)
  where m.id = outbox_id and m.status = 'pending' and m.next_attempt_at <= now()
    and (m.locked_until is null or m.locked_until < now())
  returning m.*;
$function$
;

CREATE OR REPLACE FUNCTION private.dispatch_mail()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if exists (
    select from private.mail_outbox m
    where m.status = 'pending' and m.next_attempt_at <= now() and (m.locked_until is null or m.locked_until < now())
  ) then
    perform private.kick_mail_send();
  end if;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.enqueue_mail(template text, recipient text, locale locale, variables jsonb, org_id uuid DEFAULT NULL::uuid)
 RETURNS uuid
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  outbox_id uuid := gen_random_uuid();
begin
  insert into private.mail_outbox (id, org_id, template, locale, recipient, variables, idempotency_key)
  values (outbox_id, enqueue_mail.org_id, enqueue_mail.template, coalesce(enqueue_mail.locale, 'en'),
          lower(btrim(enqueue_mail.recipient)), enqueue_mail.variables, 'mail-' || outbox_id);
  perform pgmq.send('mail', jsonb_build_object('outbox_id', outbox_id));
  perform private.kick_mail_send();
  return outbox_id;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.kick_mail_send()
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  project_url text := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url');
  secret_key text := (select decrypted_secret from vault.decrypted_secrets where name = 'secret_key');
begin
  if project_url is null or secret_key is null then
    return;
  end if;
  perform net.http_post(
    url := project_url || '/functions/v1/mail-send',
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || secret_key),
    body := '{}'::jsonb,
    timeout_milliseconds := 30000
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.mail_failed(outbox_id uuid, error text, max_attempts integer DEFAULT 8)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  delay integer;
  failed private.mail_outbox;
begin
  select * into failed from private.mail_outbox m where m.id = outbox_id for update;
  if failed.attempts >= max_attempts then
    update private.mail_outbox m
    -- The secret stays: an operator's admin.retry_mail must be able to send the same mail.
    set status = 'dead', dead_at = now(), locked_until = null, last_error = left(error, 2000)
    where m.id = outbox_id;
    return null;
  end if;
  delay := least(3600, 5 * power(4, greatest(failed.attempts, 1) - 1))::integer;
  delay := delay + floor(random() * delay / 2)::integer;
  update private.mail_outbox m
  set next_attempt_at = now() + make_interval(secs => delay), locked_until = null, last_error = left(error, 2000)
  where m.id = outbox_id;
  return delay;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.mail_sent(outbox_id uuid, provider_message_id text)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  update private.mail_outbox m
  set status = 'sent', sent_at = now(), locked_until = null, last_error = null,
      provider_message_id = mail_sent.provider_message_id,
      -- The mail is out: nothing in the database needs its secrets any more.
      variables = m.variables - 'secret'
  where m.id = outbox_id;
$function$
;

CREATE OR REPLACE FUNCTION public.accept_invitation(invitation_id uuid, secret text)
 RETURNS memberships
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select * from private.accept_invitation(invitation_id, secret);
$function$
;

CREATE OR REPLACE FUNCTION private.invite_member(org_id uuid, email text, role org_role, valid_for interval)
 RETURNS invitations
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  caller_role public.org_role := private.require_org_role(org_id, 'admin');
  address text := lower(btrim(email));
  created public.invitations;
  secret text := encode(extensions.gen_random_bytes(32), 'hex');
  organization public.organizations;
begin
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'email: not an email address';
  end if;
  if valid_for is null or valid_for < interval '1 hour' or valid_for > interval '90 days' then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'valid_for: between 1 hour and 90 days';
  end if;
  if role = 'owner' and caller_role <> 'owner' then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN', detail = 'Only owners invite owners.';
  end if;
  perform private.lock_organization(org_id);
  if exists (
    select from public.memberships m join auth.users u on u.id = m.user_id
    where m.org_id = invite_member.org_id and lower(u.email) = address
  ) then
    raise sqlstate 'PT409' using message = 'ALREADY_MEMBER', detail = format('%s is already a member.', address);
  end if;
  -- A new invitation replaces a pending one to the same address.
  update public.invitations i set revoked_at = now(), revoked_by = auth.uid()
  where i.org_id = invite_member.org_id and i.email = address and i.accepted_at is null and i.revoked_at is null;
  insert into public.invitations (org_id, email, role, invited_by, expires_at)
  values (org_id, address, role, auth.uid(), now() + valid_for)
  returning * into created;
  -- The invitee gets the secret by mail, in the same transaction: no invitation without its mail.
  insert into private.invitation_secrets (invitation_id, secret_hash)
  values (created.id, sha256(convert_to(secret, 'UTF8')));
  select * into organization from public.organizations o where o.id = invite_member.org_id;
  perform private.enqueue_mail(
    'invitation',
    address,
    organization.locale,
    jsonb_build_object(
      'invitation_id', created.id,
      'secret', secret,
      'organization', organization.name,
      'inviter', coalesce((select p.display_name from public.profiles p where p.user_id = auth.uid()), ''),
      'role', created.role,
      'expires_at', created.expires_at
    ),
    created.org_id
  );
  return created;
end;
$function$
;


comment on function admin.retry_mail(pg_catalog.uuid) is 'Sends a dead or waiting mail again now (same idempotency key, so a provider that had it does not send it twice).';
comment on function private.claim_mail(pg_catalog.uuid,integer) is 'mail-send: takes a due mail for one attempt, or null.';
comment on function private.dispatch_mail() is 'Calls mail-send when a mail is due (pg_cron, every 10 seconds).';
comment on function private.enqueue_mail(pg_catalog.text,pg_catalog.text,public.locale,pg_catalog.jsonb,pg_catalog.uuid) is 'Writes a mail to the outbox in the caller''s transaction and queues it for mail-send; returns the outbox id.';
comment on function private.kick_mail_send() is 'Asks the mail-send function, after commit, to send what is due (project_url and secret_key from the vault).';
comment on function private.mail_failed(pg_catalog.uuid,pg_catalog.text,integer) is 'mail-send: an attempt failed; schedules the next with backoff and jitter (answers its delay) or marks the mail dead (null).';
comment on function private.mail_sent(pg_catalog.uuid,pg_catalog.text) is 'mail-send: the provider accepted the mail; its secrets are dropped.';
comment on function public.accept_invitation(pg_catalog.uuid,pg_catalog.text) is 'The invited user, signed in with the invited email once confirmed, joins with the invitation''s role, given the secret from the invitation''s mail.';
comment on function public.invite_member(pg_catalog.uuid,pg_catalog.text,public.org_role,interval) is 'Admins invite an email with a role (owners only invite owners); the invitee is mailed a link with a single-use secret. A new invitation replaces a pending one to the same address.';
comment on table private.invitation_secrets is 'SHA-256 of the single-use secret mailed with each invitation; accept_invitation() needs the secret.';
comment on table private.mail_outbox is 'Mail the application sends (not Auth''s), written in the transaction that causes it and sent by the mail-send function: pending until sent, dead after its last attempt. admin.mail_outbox shows it.';
comment on view admin.mail_outbox is 'The application''s mail, newest first: pending (with its next attempt and last error), sent, or dead (retry with admin.retry_mail).';

revoke all on function admin.retry_mail(uuid) from public, anon, authenticated, service_role;
revoke all on function private.accept_invitation(uuid,text) from public, anon, authenticated, service_role;
grant execute on function private.accept_invitation(uuid,text) to authenticated;
revoke all on function private.claim_mail(uuid,integer) from public, anon, authenticated, service_role;
revoke all on function private.dispatch_mail() from public, anon, authenticated, service_role;
revoke all on function private.enqueue_mail(text,text,public.locale,jsonb,uuid) from public, anon, authenticated, service_role;
revoke all on function private.kick_mail_send() from public, anon, authenticated, service_role;
revoke all on function private.mail_failed(uuid,text,integer) from public, anon, authenticated, service_role;
revoke all on function private.mail_sent(uuid,text) from public, anon, authenticated, service_role;
revoke all on function public.accept_invitation(uuid,text) from public, anon, authenticated, service_role;
grant execute on function public.accept_invitation(uuid,text) to authenticated, service_role;

select cron.schedule('mail-dispatch', '10 seconds', 'select private.dispatch_mail()');
