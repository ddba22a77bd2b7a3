-- Notifications raised by events of other modules, in the transaction of the event.

-- Billing's notices (private.billing_notices, "the outbox reminders read"): low credits and a
-- failed payment are told to the organization's admins and owners. A trial's end is computed
-- from the subscription by run_reminders (trial_ending), so Stripe's trial_will_end adds nothing.
create function private.notify_billing_notice()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.kind in ('credits_low', 'payment_failed') then
    perform private.notify(new.kind, new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                           new.payload || jsonb_build_object('notice_id', new.id));
  end if;
  update private.billing_notices n set handled_at = now() where n.id = new.id;
  return null;
end;
$$;

comment on function private.notify_billing_notice() is
  'Tells an organization''s admins of a billing notice (credits_low, payment_failed) and marks it handled.';

create trigger notify_billing_notice after insert on private.billing_notices
  for each row execute function private.notify_billing_notice();

-- A paid invoice: its receipt to the organization's owners. The amount goes to the mail as an
-- exact decimal string with the currency's own decimals (JPY 0, SEK 2, KWD 3); the mail sender
-- writes it in the reader's number format.
create function private.notify_invoice_paid()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  amount_paid text;
begin
  select round(new.amount_paid / power(10::numeric, c.minor_units), c.minor_units)::text into amount_paid
  from public.currencies c where c.code = new.currency;
  perform private.notify('payment_receipt', new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                         jsonb_build_object('invoice_id', new.id, 'number', coalesce(new.number, new.stripe_invoice_id),
                                            'amount_paid', amount_paid, 'currency', new.currency));
  return null;
end;
$$;

comment on function private.notify_invoice_paid() is 'Sends the receipt of a paid invoice to the organization''s owners (kind payment_receipt).';

-- Once per invoice: Stripe's webhook rewrites the status with every event of a paid invoice
-- (invoice.paid, invoice.payment_succeeded, invoice.updated), so an update counts only when the
-- invoice was not paid before.
create trigger notify_invoice_paid after insert on public.invoices
  for each row when (new.status = 'paid' and new.amount_paid > 0)
  execute function private.notify_invoice_paid();

create trigger notify_invoice_paid_later after update of status on public.invoices
  for each row when (new.status = 'paid' and old.status <> 'paid' and new.amount_paid > 0)
  execute function private.notify_invoice_paid();

-- An invitation to someone who already has an account shows in their app too (its mail is the
-- invitation's own, sent by invite_member).
create function private.notify_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitee uuid;
begin
  select u.id into invitee from auth.users u where lower(u.email) = new.email and u.email_confirmed_at is not null;
  if invitee is not null then
    perform private.notify('invitation', new.org_id, (select o.name from public.organizations o where o.id = new.org_id),
                           jsonb_build_object('invitation_id', new.id, 'role', new.role), '{}', array[invitee]);
  end if;
  return null;
end;
$$;

comment on function private.notify_invitation() is 'Shows an invitation in the app of the invited user, when they have an account.';

create trigger notify_invitation after insert on public.invitations
  for each row execute function private.notify_invitation();

-- Welcome mail, once the address is confirmed (sign-up confirmed, or created confirmed), in the
-- language the user signed up with.
create function private.mail_welcome()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_mail(
    'welcome', new.email,
    case when new.raw_user_meta_data ->> 'locale' in ('sv', 'nb', 'da', 'fi', 'de', 'en')
         then (new.raw_user_meta_data ->> 'locale')::public.locale else 'en' end,
    jsonb_build_object('email', lower(new.email)));
  return null;
end;
$$;

comment on function private.mail_welcome() is 'Mails a welcome to a user whose address was just confirmed.';

create trigger mail_welcome_on_confirm after update of email_confirmed_at on auth.users
  for each row when (old.email_confirmed_at is null and new.email_confirmed_at is not null and new.email is not null)
  execute function private.mail_welcome();

create trigger mail_welcome_on_create after insert on auth.users
  for each row when (new.email_confirmed_at is not null and new.email is not null)
  execute function private.mail_welcome();
