create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role public.org_role not null default 'member',
  invited_by uuid,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid,
  revoked_at timestamptz,
  revoked_by uuid,
  created_at timestamptz not null default now(),
  unique (org_id, id),
  check (num_nonnulls(accepted_at, revoked_at) <= 1)
);

comment on table public.invitations is
  'An email invited into an organization with a role, until it expires, is revoked or is accepted.';

create index invitations_org_id_created_at_idx on public.invitations (org_id, created_at desc);

create index invitations_email_idx on public.invitations (email) where accepted_at is null and revoked_at is null;

alter table public.invitations enable row level security;

grant select on public.invitations to authenticated;

create policy "admins and the confirmed invitee read an invitation" on public.invitations
  for select to authenticated using (
    org_id = any ((select private.org_ids_with_role('admin'))::uuid[])
    or email = (select private.confirmed_email())
  );

-- The secret an invitation's link carries, as its SHA-256 only: the secret itself goes out in the
-- mail (private.mail_outbox holds it until sent). Apart from the invitations admins read.
create table private.invitation_secrets (
  invitation_id uuid primary key references public.invitations (id) on delete cascade,
  secret_hash bytea not null check (length(secret_hash) = 32)
);

comment on table private.invitation_secrets is
  'SHA-256 of the single-use secret mailed with each invitation; accept_invitation() needs the secret.';

alter table private.invitation_secrets enable row level security;
