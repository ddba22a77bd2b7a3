create view admin.payments as
select
  i.issued_at,
  i.org_id,
  o.name as organization,
  i.number,
  i.status,
  i.amount_due,
  i.amount_paid,
  i.currency,
  i.period_start,
  i.period_end,
  i.hosted_invoice_url,
  i.invoice_pdf,
  i.stripe_invoice_id
from public.invoices i
join public.organizations o on o.id = i.org_id;

comment on view admin.payments is 'Stripe invoices of every organization (amounts in minor units); order by issued_at desc.';
