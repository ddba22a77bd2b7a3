create function private.apply_stripe_event(event jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  object jsonb := event #> '{data,object}';
  created timestamptz := private.stripe_time(event -> 'created');
  kind text := event ->> 'type';
  default_method jsonb;
  org uuid;
begin
  case
    when kind = 'checkout.session.completed' then
      return private.apply_stripe_checkout(object, created);
    when kind in ('customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted') then
      return private.apply_stripe_subscription(object, created, kind = 'customer.subscription.deleted');
    when kind = 'customer.subscription.trial_will_end' then
      org := private.stripe_org(object -> 'customer', object #>> '{metadata,org_id}');
      if org is null then
        return 'ignored: no organization';
      end if;
      insert into private.billing_notices (org_id, kind, payload)
      values (org, 'trial_will_end', jsonb_build_object('subscription', object ->> 'id', 'trial_end', object -> 'trial_end'));
      return 'applied';
    when kind in ('invoice.paid', 'invoice.payment_failed', 'invoice.finalized') then
      return private.apply_stripe_invoice(object, created, kind);
    when kind = 'payment_method.attached' then
      return private.apply_stripe_payment_method(object -> 'customer', object, created);
    when kind = 'customer.updated' then
      default_method := object #> '{invoice_settings,default_payment_method}';
      if jsonb_typeof(default_method) = 'object' then
        return private.apply_stripe_payment_method(to_jsonb(object ->> 'id'), default_method, created);
      end if;
      return 'ignored: no expanded payment method';
    else
      return 'ignored';
  end case;
end;
$$;
