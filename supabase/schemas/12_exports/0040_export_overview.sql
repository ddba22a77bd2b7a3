-- What the workbook's small sheets and the PDF report list besides the statistics (which come
-- from expense_stats and dashboard): the organization, its contracts, vehicles with their costs,
-- warranties and insurances, and what falls due within `within_days` of the organization's
-- today. Small tables, one call. Security invoker: called as the member who asked.
create or replace function private.export_overview(org_id uuid, within_days integer default 60)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with org as (
    select o.id, o.name, o.kind, o.locale, o.base_currency, c.minor_units as base_exponent,
           (now() at time zone o.time_zone)::date as today
    from public.organizations o join public.currencies c on c.code = o.base_currency
    where o.id = export_overview.org_id
  )
  select jsonb_build_object(
    'organization', jsonb_build_object('id', org.id, 'name', org.name, 'kind', org.kind, 'locale', org.locale,
                                       'base_currency', org.base_currency, 'base_exponent', org.base_exponent,
                                       'today', org.today),
    'budgets', coalesce((
      select jsonb_agg(jsonb_build_object('name', coalesce(p.name || ' / ', '') || c.name, 'kind', c.kind,
                                          'monthly_budget_minor', c.monthly_budget_minor) order by p.name nulls first, c.name)
      from public.categories c left join public.categories p on p.org_id = c.org_id and p.id = c.parent_id
      where c.org_id = org.id and c.deleted_at is null and c.monthly_budget_minor is not null), '[]'),
    'contracts', coalesce((
      select jsonb_agg(jsonb_build_object('reference', k.reference, 'name', k.name, 'vendor', v.name,
                                          'amount_minor', k.amount_minor, 'currency', k.currency, 'exponent', cu.minor_units,
                                          'frequency', k.frequency, 'status', k.current_status,
                                          'next_payment_on', k.next_payment_on, 'notice_deadline_on', k.notice_deadline_on,
                                          'effective_ends_on', k.effective_ends_on, 'yearly_base_minor', k.yearly_base_minor)
                       order by k.name, k.reference)
      from public.contract_overview k
      join public.currencies cu on cu.code = k.currency
      left join public.vendors v on v.org_id = k.org_id and v.id = k.vendor_id
      where k.org_id = org.id), '[]'),
    'vehicles', coalesce((
      select jsonb_agg(jsonb_build_object('reference', x.reference, 'name', coalesce(x.name, x.make || coalesce(' ' || x.model, '')),
                                          'registration', x.registration, 'model_year', x.model_year, 'fuel', x.fuel,
                                          'costs', coalesce(e.costs, '[]'), 'total_base_minor', coalesce(e.total, 0))
                       order by x.reference)
      from public.vehicles x
      left join lateral (
        select jsonb_agg(jsonb_build_object('kind', g.kind, 'base_minor', g.base_minor) order by g.kind) as costs,
               sum(g.base_minor)::bigint as total
        from (select ev.kind, sum(ev.base_amount_minor)::bigint as base_minor
              from public.vehicle_events ev
              where ev.org_id = x.org_id and ev.vehicle_id = x.id and ev.deleted_at is null
              group by ev.kind) g
      ) e on true
      where x.org_id = org.id and x.deleted_at is null), '[]'),
    'warranties', coalesce((
      select jsonb_agg(jsonb_build_object('reference', w.reference, 'product', w.product, 'seller', w.seller,
                                          'purchased_on', w.purchased_on, 'ends_on', w.ends_on, 'price_minor', w.price_minor,
                                          'currency', w.currency, 'exponent', cu.minor_units)
                       order by w.ends_on nulls last, w.reference)
      from public.warranties w left join public.currencies cu on cu.code = w.currency
      where w.org_id = org.id and w.deleted_at is null), '[]'),
    'insurances', coalesce((
      select jsonb_agg(jsonb_build_object('reference', i.reference, 'kind', i.kind, 'name', i.name, 'insurer', i.insurer,
                                          'policy_number', i.policy_number, 'premium_minor', i.premium_minor,
                                          'annual_premium_minor', i.annual_premium_minor, 'currency', i.currency,
                                          'exponent', cu.minor_units, 'frequency', i.frequency, 'renews_on', i.renews_on)
                       order by i.renews_on nulls last, i.reference)
      from public.insurances i join public.currencies cu on cu.code = i.currency
      where i.org_id = org.id and i.deleted_at is null and i.ended_on is null), '[]'),
    'notice_deadlines', coalesce((
      select jsonb_agg(jsonb_build_object('reference', k.reference, 'name', k.name,
                                          'notice_deadline_on', k.notice_deadline_on, 'yearly_base_minor', k.yearly_base_minor)
                       order by k.notice_deadline_on, k.reference)
      from public.contract_overview k
      where k.org_id = org.id and k.notice_deadline_on between org.today and org.today + within_days), '[]'),
    'expiring_warranties', coalesce((
      select jsonb_agg(jsonb_build_object('reference', w.reference, 'product', w.product, 'ends_on', w.ends_on)
                       order by w.ends_on, w.reference)
      from public.warranties w
      where w.org_id = org.id and w.deleted_at is null and w.ends_on between org.today and org.today + within_days), '[]')
  )
  from org;
$$;

comment on function private.export_overview is
  'Organization, budgets, contracts, vehicles with costs, warranties, insurances and upcoming deadlines for exports.';

grant execute on function private.export_overview to authenticated;
