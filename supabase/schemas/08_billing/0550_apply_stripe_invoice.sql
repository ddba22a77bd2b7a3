create function private.apply_stripe_invoice(invoice jsonb, created timestamptz, kind text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  details jsonb := coalesce(invoice #> '{parent,subscription_details}', invoice -> 'subscription_details');
  subscription_id text := coalesce(private.stripe_id(details -> 'subscription'), private.stripe_id(invoice -> 'subscription'));
  org uuid := private.stripe_org(invoice -> 'customer', details #>> '{metadata,org_id}');
  line_period jsonb := invoice #> '{lines,data,0,period}';
  current_row public.subscriptions;
  outcome text := 'applied';
begin
  if org is null then
    return 'ignored: no organization';
  end if;
  insert into public.invoices as i (
    org_id, stripe_invoice_id, stripe_subscription_id, number, status, currency, amount_due, amount_paid, total,
    period_start, period_end, hosted_invoice_url, invoice_pdf, issued_at, stripe_event_at
  ) values (
    org, invoice ->> 'id', subscription_id, invoice ->> 'number', coalesce(invoice ->> 'status', 'open'),
    upper(invoice ->> 'currency'),
    coalesce((invoice ->> 'amount_due')::bigint, 0), coalesce((invoice ->> 'amount_paid')::bigint, 0),
    coalesce((invoice ->> 'total')::bigint, 0),
    coalesce(private.stripe_time(line_period -> 'start'), private.stripe_time(invoice -> 'period_start')),
    coalesce(private.stripe_time(line_period -> 'end'), private.stripe_time(invoice -> 'period_end')),
    invoice ->> 'hosted_invoice_url', invoice ->> 'invoice_pdf', private.stripe_time(invoice -> 'created'), created
  )
  on conflict (stripe_invoice_id) do update set
    number = coalesce(excluded.number, i.number), status = excluded.status, amount_due = excluded.amount_due,
    amount_paid = excluded.amount_paid, total = excluded.total, period_start = excluded.period_start,
    period_end = excluded.period_end, hosted_invoice_url = coalesce(excluded.hosted_invoice_url, i.hosted_invoice_url),
    invoice_pdf = coalesce(excluded.invoice_pdf, i.invoice_pdf), stripe_event_at = excluded.stripe_event_at
  where i.stripe_event_at <= excluded.stripe_event_at;
  if not found then
    outcome := 'stale';
  end if;

  if kind not in ('invoice.paid', 'invoice.payment_failed') or subscription_id is null then
    return outcome;
  end if;
  select * into current_row from public.subscriptions s where s.org_id = org for update;
  if current_row.stripe_subscription_id is not null and current_row.stripe_subscription_id <> subscription_id then
    return 'ignored: not the current subscription';
  end if;
  if kind = 'invoice.payment_failed' then
    insert into private.billing_notices (org_id, kind, payload)
    values (org, 'payment_failed', jsonb_build_object('invoice', invoice ->> 'id', 'amount_due', invoice -> 'amount_due'));
  end if;
  if current_row.state_event_at > created then
    return 'stale';
  end if;
  if kind = 'invoice.paid' then
    update public.subscriptions s set
      status = case when current_row.cancel_at_period_end then 'canceling'::public.subscription_status else 'active' end,
      read_only_reason = null,
      grace_until = null,
      stripe_subscription_id = subscription_id,
      stripe_customer_id = coalesce(current_row.stripe_customer_id, private.stripe_id(invoice -> 'customer')),
      state_event_at = created
    where s.id = current_row.id;
  elsif current_row.status in ('active', 'canceling', 'past_due') then
    update public.subscriptions s set
      status = 'past_due',
      read_only_reason = null,
      grace_until = coalesce(current_row.grace_until,
        created + make_interval(days => (select a.grace_days from public.app_settings a))),
      state_event_at = created
    where s.id = current_row.id;
  end if;
  return outcome;
end;
$$;
