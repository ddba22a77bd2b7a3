-- Exports (issue 26): the private `exports` bucket members read through signed URLs, and the
-- readers the export jobs call as the member who asked (security invoker, keyset pages).
-- Touches: storage.buckets (exports), storage.objects (policy), private.export_transactions,
-- private.export_tables, private.export_table_page, private.export_overview, admin.expired_exports.

insert into storage.buckets (id, name, public)
values ('exports', 'exports', false)
on conflict (id) do update set public = false;

set check_function_bodies = off;

create or replace view "admin"."expired_exports" as  SELECT name AS object_path,
    created_at,
    ((metadata ->> 'size'::text))::bigint AS size_bytes
   FROM storage.objects o
  WHERE ((bucket_id = 'exports'::text) AND (created_at < (now() - '7 days'::interval)));


CREATE OR REPLACE FUNCTION private.export_overview(org_id uuid, within_days integer DEFAULT 60)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.export_table_page(table_name text, org_id uuid, after_key text DEFAULT NULL::text, max_rows integer DEFAULT 1000)
 RETURNS TABLE(key text, row_data jsonb)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
declare
  key_column text;
  key_type text;
begin
  if not exists (select from private.export_tables() e where e.table_name = export_table_page.table_name) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'table_name: not a table a backup holds';
  end if;
  if max_rows is null or max_rows not between 1 and 5000 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 5000';
  end if;
  select a.attname, format_type(a.atttypid, a.atttypmod) into key_column, key_type
  from pg_index i
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
  where i.indrelid = format('public.%I', table_name)::regclass and i.indisprimary;
  return query execute format(
    'select r.%1$I::text, to_jsonb(r) from public.%2$I r where r.org_id = $1 and ($2::text is null or r.%1$I > $2::%3$s)
     order by r.%1$I limit $3',
    key_column, table_name, key_type)
    using org_id, after_key, max_rows;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.export_tables()
 RETURNS TABLE(table_name text, depth integer)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  with recursive tenant as (
    select c.oid, c.relname::text as table_name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)
      and has_table_privilege('authenticated', c.oid, 'select')
  ),
  edges as (
    select distinct k.conrelid as child, k.confrelid as parent
    from pg_constraint k
    where k.contype = 'f' and k.conrelid <> k.confrelid
      and k.conrelid in (select oid from tenant) and k.confrelid in (select oid from tenant)
  ),
  levels as (
    select t.oid, 0 as depth from tenant t
    union all
    select e.child, l.depth + 1 from levels l join edges e on e.parent = l.oid where l.depth < 20
  )
  select t.table_name, max(l.depth)::integer
  from tenant t join levels l on l.oid = t.oid
  group by t.table_name
  order by 2, 1;
$function$
;

CREATE OR REPLACE FUNCTION private.export_transactions(org_id uuid, filters jsonb DEFAULT '{}'::jsonb, after_booked_on date DEFAULT NULL::date, after_reference text DEFAULT NULL::text, max_rows integer DEFAULT 500)
 RETURNS TABLE(id uuid, reference text, booked_on date, kind transaction_kind, amount_minor bigint, currency text, currency_exponent smallint, fx_rate numeric, base_amount_minor bigint, base_currency text, base_exponent smallint, account text, to_account text, category text, vendor text, counterparty text, description text, notes text, payment_method payment_method, tags text[], splits jsonb)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- The page first, then names by hash: the search's estimate of 50 rows makes the planner look
  -- each name up by an index under the row-level security condition, which scanned a
  -- company's categories for every row (60 ms a page of 500 rows; 10 ms this way).
  with page as materialized (
    select * from public.search_transactions(
      org_id,
      text_query => filters ->> 'text_query',
      from_date => (filters ->> 'from_date')::date,
      to_date => (filters ->> 'to_date')::date,
      min_amount_minor => (filters ->> 'min_amount_minor')::bigint,
      max_amount_minor => (filters ->> 'max_amount_minor')::bigint,
      category_id => (filters ->> 'category_id')::uuid,
      vendor_id => (filters ->> 'vendor_id')::uuid,
      tag_id => (filters ->> 'tag_id')::uuid,
      account_id => (filters ->> 'account_id')::uuid,
      kind => (filters ->> 'kind')::public.transaction_kind,
      after_booked_on => after_booked_on,
      after_reference => after_reference,
      max_rows => max_rows
    )
  ),
  category_names as materialized (
    select c.id, coalesce(p.name || ' / ', '') || c.name as name
    from public.categories c
    left join public.categories p on p.org_id = c.org_id and p.id = c.parent_id
    where c.org_id = export_transactions.org_id
  ),
  account_names as materialized (
    select a.id, a.name from public.accounts a where a.org_id = export_transactions.org_id
  ),
  currencies as materialized (
    select c.code, c.minor_units from public.currencies c
  )
  select t.id, t.reference, t.booked_on, t.kind, t.amount_minor, t.currency, c.minor_units, t.fx_rate,
         t.base_amount_minor, o.base_currency, bc.minor_units, a.name, ta.name, cat.name, v.name,
         t.counterparty, t.description, t.notes, t.payment_method, coalesce(tg.names, '{}'), coalesce(sp.parts, '[]')
  from page t
  join public.organizations o on o.id = t.org_id
  join currencies c on c.code = t.currency
  join currencies bc on bc.code = o.base_currency
  left join account_names a on a.id = t.account_id
  left join account_names ta on ta.id = t.to_account_id
  left join category_names cat on cat.id = t.category_id
  left join public.vendors v on v.org_id = t.org_id and v.id = t.vendor_id
  left join lateral (
    select array_agg(g.name order by lower(g.name)) as names
    from public.transaction_tags x
    join public.tags g on g.org_id = x.org_id and g.id = x.tag_id and g.deleted_at is null
    where x.org_id = t.org_id and x.transaction_id = t.id
  ) tg on true
  left join lateral (
    select jsonb_agg(jsonb_build_object(
             'position', s.position, 'category', sc.name, 'amount_minor', s.amount_minor, 'note', s.note)
             order by s.position) as parts
    from public.transaction_splits s
    join category_names sc on sc.id = s.category_id
    where t.is_split and s.org_id = t.org_id and s.transaction_id = t.id
  ) sp on true
  order by t.booked_on desc, t.reference desc;
$function$
;


  create policy "members read their organization's exports"
  on "storage"."objects"
  as permissive
  for select
  to authenticated
using (((bucket_id = 'exports'::text) AND ((storage.foldername(name))[1] = ANY ((( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role))::text[]))));

comment on function private.export_overview(pg_catalog.uuid,integer) is 'Organization, budgets, contracts, vehicles with costs, warranties, insurances and upcoming deadlines for exports.';
comment on function private.export_table_page(pg_catalog.text,pg_catalog.uuid,pg_catalog.text,integer) is 'A page of one backup table''s rows of an organization as JSON, by primary key.';
comment on function private.export_tables() is 'Tables a backup holds, parents before children.';
comment on function private.export_transactions(pg_catalog.uuid,pg_catalog.jsonb,pg_catalog.date,pg_catalog.text,integer) is 'A page of transactions for an export (search_transactions filters as jsonb), newest first; call as the member who asked.';
comment on view admin.expired_exports is 'Export files older than the 7-day retention; export.purge removes them.';

revoke all on function private.export_overview(uuid,integer) from public, anon, authenticated, service_role;
grant execute on function private.export_overview(uuid,integer) to authenticated;
revoke all on function private.export_table_page(text,uuid,text,integer) from public, anon, authenticated, service_role;
grant execute on function private.export_table_page(text,uuid,text,integer) to authenticated;
revoke all on function private.export_tables() from public, anon, authenticated, service_role;
grant execute on function private.export_tables() to authenticated;
revoke all on function private.export_transactions(uuid,jsonb,date,text,integer) from public, anon, authenticated, service_role;
grant execute on function private.export_transactions(uuid,jsonb,date,text,integer) to authenticated;
