-- The card on file: from a payment method attached, or a customer's expanded default.
create function private.apply_stripe_payment_method(customer jsonb, method jsonb, created timestamptz)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.stripe_org(customer, null);
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  update public.subscriptions s set
    payment_method_id = method ->> 'id',
    payment_method_brand = method #>> '{card,brand}',
    payment_method_last4 = method #>> '{card,last4}',
    payment_method_event_at = created
  where s.org_id = org
    and (s.payment_method_event_at is null or s.payment_method_event_at <= created);
  return case when found then 'applied' else 'stale' end;
end;
$$;
