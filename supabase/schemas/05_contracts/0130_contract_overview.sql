create view public.contract_overview with (security_invoker = true) as
select
  c.id, c.org_id, c.reference, c.name, c.vendor_id, c.category_id, c.account_id, c.contract_number,
  c.amount_minor, c.currency, c.frequency, c.interval_months, c.payment_method,
  c.starts_on, c.first_payment_on, c.binding_ends_on, c.notice_period, c.notice_period_unit,
  c.auto_renews, c.renewal_months, c.status, c.notice_given_on, c.ends_on, c.notes,
  c.created_at, c.updated_at,
  t.as_of,
  d.current_status, d.effective_ends_on, d.next_payment_on, d.earliest_end_on, d.notice_deadline_on,
  k.monthly_minor, k.yearly_minor,
  o.base_currency,
  private.convert_minor(k.monthly_minor, r.rate, c.currency, o.base_currency) as monthly_base_minor,
  private.convert_minor(k.yearly_minor, r.rate, c.currency, o.base_currency) as yearly_base_minor,
  p.payment_count, p.last_paid_on, p.paid_base_minor
from public.contracts c
join public.organizations o on o.id = c.org_id
cross join lateral (select (now() at time zone o.time_zone)::date as as_of) t
cross join lateral private.contract_dates(c, t.as_of) d
cross join lateral private.contract_cost(c.amount_minor, c.frequency, c.interval_months) k
cross join lateral (select private.base_rate(c.org_id, c.currency, o.base_currency, t.as_of) as rate) r
-- Payments: live linked transactions, net of refunds (income from the vendor).
cross join lateral (
  select count(*)::integer as payment_count, max(x.booked_on) as last_paid_on,
         coalesce(sum(case when x.kind = 'income' then -x.base_amount_minor else x.base_amount_minor end), 0)::bigint
           as paid_base_minor
  from public.transactions x
  where x.org_id = c.org_id and x.contract_id = c.id and x.deleted_at is null
) p
where c.deleted_at is null;

comment on view public.contract_overview is
  'Live contracts with their derived dates as of today in the organization''s time zone, cost per month and year (also in the base currency; null without an exchange rate) and payments.';

grant select on public.contract_overview to authenticated;

create trigger refuse_writes instead of insert or update or delete on public.contract_overview
  for each row execute function private.refuse_view_write('public.contracts');
