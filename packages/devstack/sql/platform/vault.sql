-- Stand-in for the supabase_vault extension (0.3): the `vault` schema with vault.secrets,
-- vault.decrypted_secrets, vault.create_secret() and vault.update_secret(), with Supabase's
-- grants. The local stack applies this file only where supabase_vault is not installed.
--
-- Secrets are stored encrypted and base64-encoded in vault.secrets.secret, bound to their row
-- id, as in the real Vault; the view decrypts them for roles that may execute
-- vault._crypto_aead_det_decrypt. The real Vault uses libsodium's deterministic AEAD with a
-- root key outside the database; this stand-in uses pgcrypto's PGP symmetric encryption with
-- a per-row key derived from a random root key kept in vault._root_key, a table only its
-- owner (the superuser) can read. Ciphertexts are therefore not byte-compatible with a
-- hosted project's, which only matters to someone copying encrypted rows between the two.

create extension if not exists pgcrypto with schema extensions;

create schema vault;

create table vault._root_key (
  only_row boolean primary key default true check (only_row),
  key bytea not null
);

revoke all on table vault._root_key from public;

insert into vault._root_key (key) values (extensions.gen_random_bytes(32));

create function vault._crypto_aead_det_noncegen()
returns bytea
language sql
volatile
set search_path = ''
as $$
  select extensions.gen_random_bytes(16);
$$;

-- The key for one message: the root key bound to the context, key id, associated data (the
-- secret's id) and nonce, so a ciphertext only decrypts in the row it was written for.
create function vault._derive_key(additional bytea, key_id bigint, context bytea, nonce bytea)
returns text
language sql
stable
set search_path = ''
as $$
  select encode(
    extensions.hmac(
      context || '\x00'::bytea || convert_to(key_id::text, 'UTF8') || '\x00'::bytea
        || additional || '\x00'::bytea || coalesce(nonce, ''::bytea),
      (select key from vault._root_key),
      'sha256'
    ),
    'hex'
  );
$$;

create function vault._crypto_aead_det_encrypt(
  message bytea,
  additional bytea,
  key_id bigint,
  context bytea default 'pgsodium',
  nonce bytea default null
)
returns bytea
language sql
security definer
set search_path = ''
as $$
  select extensions.pgp_sym_encrypt_bytea(
    message,
    vault._derive_key(additional, key_id, context, nonce),
    'cipher-algo=aes256'
  );
$$;

create function vault._crypto_aead_det_decrypt(
  message bytea,
  additional bytea,
  key_id bigint,
  context bytea default 'pgsodium',
  nonce bytea default null
)
returns bytea
language sql
security definer
set search_path = ''
as $$
  select extensions.pgp_sym_decrypt_bytea(message, vault._derive_key(additional, key_id, context, nonce));
$$;

create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);

comment on table vault.secrets is
  'Table with encrypted `secret` column for storing sensitive information on disk.';

create unique index secrets_name_idx on vault.secrets using btree (name) where name is not null;

create view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  convert_from(
    vault._crypto_aead_det_decrypt(
      message := decode(s.secret, 'base64'),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

create function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  -- unused, as in the real Vault
  new_key_id uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description)
  returning * into rec;

  -- the ciphertext is bound to the id, which exists only after the insert
  update vault.secrets s
  set secret = encode(
    vault._crypto_aead_det_encrypt(
      message := convert_to(rec.secret, 'utf8'),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := rec.nonce
    ),
    'base64'
  )
  where s.id = rec.id;

  return rec.id;
end;
$$;

create function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  -- unused, as in the real Vault
  new_key_id uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case
      when new_secret is null then s.secret
      else encode(
        vault._crypto_aead_det_encrypt(
          message := convert_to(new_secret, 'utf8'),
          additional := convert_to(s.id::text, 'utf8'),
          key_id := 0,
          context := 'pgsodium'::bytea,
          nonce := s.nonce
        ),
        'base64'
      )
    end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end;
$$;

revoke all on function
  vault._crypto_aead_det_noncegen(),
  vault._derive_key(bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid)
from public;

revoke all on table vault.secrets, vault.decrypted_secrets from public, anon, authenticated;

-- Supabase's grants: postgres manages secrets through the functions and may pass that on;
-- service_role may read and delete them.
grant usage on schema vault to postgres with grant option;
grant select, delete, truncate, references on vault.secrets, vault.decrypted_secrets
  to postgres with grant option;
grant execute on function
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
  to postgres with grant option;

grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
  to service_role;
