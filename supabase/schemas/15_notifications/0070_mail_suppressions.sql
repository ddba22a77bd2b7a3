-- Addresses no mail may go to: the provider reported a hard bounce or a complaint (its signed
-- webhook, the mail-events function), or an operator added one. A mail to such an address is
-- written dead at once (last_error SUPPRESSED), so mail-send never offers it to the provider and
-- operators see why it was not sent.
create table private.mail_suppressions (
  email text primary key check (email = lower(btrim(email))),
  reason text not null check (reason in ('bounce', 'complaint', 'manual')),
  -- The provider's event (Resend's svix-id), so a webhook delivered twice changes nothing.
  provider_event_id text,
  created_at timestamptz not null default now()
);

comment on table private.mail_suppressions is
  'Addresses that bounced or complained (from the provider''s webhook) or an operator suppressed: no application mail is sent to them.';

alter table private.mail_suppressions enable row level security;

create function private.refuse_suppressed_mail()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  suppressed private.mail_suppressions;
begin
  select * into suppressed from private.mail_suppressions s where s.email = new.recipient;
  if found then
    new.status := 'dead';
    new.dead_at := now();
    new.last_error := 'SUPPRESSED: ' || suppressed.reason;
  end if;
  return new;
end;
$$;

comment on function private.refuse_suppressed_mail() is
  'Writes a mail to a suppressed address dead at once (last_error SUPPRESSED: <reason>).';

create trigger refuse_suppressed_mail before insert on private.mail_outbox
  for each row execute function private.refuse_suppressed_mail();

-- The mail-events function's step: an address bounced or complained. Mail still waiting for it
-- is given up too. Answers whether the address was new to the list.
create function private.suppress_address(email text, reason text, provider_event_id text default null)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  address text := lower(btrim(email));
begin
  insert into private.mail_suppressions (email, reason, provider_event_id)
  values (address, suppress_address.reason, suppress_address.provider_event_id)
  on conflict on constraint mail_suppressions_pkey do nothing;
  if not found then
    return false;
  end if;
  update private.mail_outbox m
  set status = 'dead', dead_at = now(), locked_until = null, last_error = 'SUPPRESSED: ' || suppress_address.reason
  where m.recipient = address and m.status = 'pending';
  return true;
end;
$$;

comment on function private.suppress_address(text, text, text) is
  'Adds an address to the suppression list (bounce, complaint, manual) and gives up its waiting mail; false when it was already there.';

create view admin.mail_suppressions as
select s.email, s.reason, s.provider_event_id, s.created_at from private.mail_suppressions s order by s.created_at desc;

comment on view admin.mail_suppressions is
  'Addresses no application mail goes to; admin.unsuppress_address removes one (after the person fixed their mailbox).';

create function admin.unsuppress_address(email text)
returns boolean
language sql
set search_path = ''
as $$
  with removed as (delete from private.mail_suppressions s where s.email = lower(btrim(unsuppress_address.email)) returning 1)
  select exists (select from removed);
$$;

comment on function admin.unsuppress_address(text) is 'Lets mail go to an address again; false when it was not suppressed.';
