-- Insights: one read RPC with what the forecast, anomalies, score and what-if compute from, and
-- a table keeping each anomaly found once (by its stable key) for members to read.
-- Touches: public.anomaly_kind, public.insight_anomalies (new), private/public.insight_inputs (new).

create type "public"."anomaly_kind" as enum ('category_month', 'vendor_month', 'duplicate_charge', 'price_increase', 'large_payment');


  create table "public"."insight_anomalies" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "key" text not null,
    "kind" anomaly_kind not null,
    "concerns_on" date not null,
    "category_id" uuid,
    "vendor_id" uuid,
    "contract_id" uuid,
    "transaction_ids" uuid[] not null default '{}'::uuid[],
    "evidence" jsonb not null,
    "found_at" timestamp with time zone not null default now(),
    "notified_at" timestamp with time zone
      );


alter table "public"."insight_anomalies" enable row level security;

CREATE INDEX insight_anomalies_org_id_found_at_idx ON public.insight_anomalies USING btree (org_id, found_at DESC);

CREATE UNIQUE INDEX insight_anomalies_org_id_key_key ON public.insight_anomalies USING btree (org_id, key);

CREATE INDEX insight_anomalies_org_id_unnotified_idx ON public.insight_anomalies USING btree (org_id, found_at) WHERE (notified_at IS NULL);

CREATE UNIQUE INDEX insight_anomalies_pkey ON public.insight_anomalies USING btree (id);

alter table "public"."insight_anomalies" add constraint "insight_anomalies_pkey" PRIMARY KEY using index "insight_anomalies_pkey";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_concerns_on_check" CHECK (private.calendar_day_in_range(concerns_on)) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_concerns_on_check";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_evidence_check" CHECK (((jsonb_typeof(evidence) = 'object'::text) AND (pg_column_size(evidence) <= 4096))) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_evidence_check";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_key_check" CHECK (((length(key) >= 1) AND (length(key) <= 200))) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_key_check";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_org_id_category_id_fkey" FOREIGN KEY (org_id, category_id) REFERENCES categories(org_id, id) ON DELETE SET NULL (category_id) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_org_id_category_id_fkey";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_org_id_contract_id_fkey" FOREIGN KEY (org_id, contract_id) REFERENCES contracts(org_id, id) ON DELETE SET NULL (contract_id) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_org_id_contract_id_fkey";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_org_id_fkey";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_org_id_key_key" UNIQUE using index "insight_anomalies_org_id_key_key";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_org_id_vendor_id_fkey" FOREIGN KEY (org_id, vendor_id) REFERENCES vendors(org_id, id) ON DELETE SET NULL (vendor_id) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_org_id_vendor_id_fkey";

alter table "public"."insight_anomalies" add constraint "insight_anomalies_transaction_ids_check" CHECK ((cardinality(transaction_ids) <= 10)) not valid;

alter table "public"."insight_anomalies" validate constraint "insight_anomalies_transaction_ids_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.insight_inputs(org_id uuid, as_of date, history_months integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  none constant uuid := '00000000-0000-0000-0000-000000000000';
  base text;
  first_month date;
  last_month date;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if history_months is null or history_months not between 1 and 60 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'history_months: between 1 and 60';
  end if;
  as_of := coalesce(as_of, private.org_today(org_id));
  if not private.calendar_day_in_range(as_of) then
    raise sqlstate 'PT400' using message = 'DATE_OUT_OF_RANGE', detail = 'as_of';
  end if;
  select o.base_currency into base from public.organizations o where o.id = insight_inputs.org_id;
  last_month := (date_trunc('month', as_of) - interval '1 month')::date;
  -- From the first month with any totals: leading empty months would drag the forecast's level down.
  select min(m.month)
  into first_month
  from private.live_totals m
  where m.org_id = insight_inputs.org_id and m.dimension = 'c'
    and m.month >= (date_trunc('month', as_of) - make_interval(months => history_months))::date
    and m.month <= last_month;
  first_month := coalesce(first_month, (date_trunc('month', as_of))::date);

  with months as (
    select g.month::date as month, g.no::integer as no
    from generate_series(first_month, last_month, interval '1 month') with ordinality as g (month, no)
  ),
  totals as (
    select m.dimension, m.key, m.month, sum(m.expense_minor)::bigint as expense_minor,
           sum(m.income_minor)::bigint as income_minor, sum(m.fixed_minor)::bigint as fixed_minor,
           sum(m.net_minor)::bigint as net_minor, sum(m.entries)::bigint as entries
    from private.live_totals m
    where m.org_id = insight_inputs.org_id and m.dimension in ('c', 'v', 'a')
      and m.month between first_month and date_trunc('month', as_of)::date
    group by m.dimension, m.key, m.month
  ),
  category_keys as (
    select distinct t.key from totals t
    where t.dimension = 'c' and t.month <= last_month and (t.expense_minor <> 0 or t.income_minor <> 0)
  ),
  categories as (
    select k.key, c.name, c.kind,
           jsonb_agg(coalesce(t.expense_minor, 0) order by g.no) as expense_minor,
           jsonb_agg(coalesce(t.income_minor, 0) order by g.no) as income_minor,
           jsonb_agg(coalesce(t.fixed_minor, 0) order by g.no) as fixed_minor,
           jsonb_agg(coalesce(t.entries, 0) order by g.no) as entries
    from category_keys k
    cross join months g
    left join totals t on t.dimension = 'c' and t.key = k.key and t.month = g.month
    left join public.categories c on c.org_id = insight_inputs.org_id and c.id = k.key
    group by k.key, c.name, c.kind
  ),
  top_vendors as (
    select t.key, sum(t.expense_minor) as spent from totals t
    where t.dimension = 'v' and t.key <> none and t.month <= last_month
    group by t.key having sum(t.expense_minor) > 0
    order by spent desc, t.key limit 200
  ),
  vendors as (
    select k.key, v.name, jsonb_agg(coalesce(t.expense_minor, 0) order by g.no) as expense_minor
    from top_vendors k
    cross join months g
    left join totals t on t.dimension = 'v' and t.key = k.key and t.month = g.month
    join public.vendors v on v.org_id = insight_inputs.org_id and v.id = k.key
    group by k.key, v.name
  ),
  accounts as (
    select a.id, a.name, a.kind, a.currency, private.base_rate(a.org_id, a.currency, base, as_of) as rate,
           a.opening_balance_minor + coalesce((select sum(m.net_minor) from private.live_totals m
             where m.org_id = a.org_id and m.dimension = 'a' and m.key = a.id), 0)::bigint as balance_minor
    from public.accounts a
    where a.org_id = insight_inputs.org_id and a.deleted_at is null and not a.closed
  ),
  contracts as (
    select c.*, (private.contract_dates(c, as_of)).effective_ends_on,
           private.base_rate(c.org_id, c.currency, base, as_of) as rate
    from public.contracts c
    where c.org_id = insight_inputs.org_id and c.deleted_at is null and c.starts_on <= as_of + 366
  )
  select jsonb_build_object(
    'as_of', as_of,
    'currency', base,
    'months', coalesce((select jsonb_agg(to_char(g.month, 'YYYY-MM') order by g.no) from months g), '[]'),
    'categories', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', nullif(c.key, none), 'name', c.name, 'kind', c.kind,
        'expense_minor', c.expense_minor, 'income_minor', c.income_minor,
        'fixed_minor', c.fixed_minor, 'entries', c.entries) order by c.key) from categories c), '[]'),
    'vendors', coalesce((select jsonb_agg(jsonb_build_object(
        'vendor_id', v.key, 'name', v.name, 'expense_minor', v.expense_minor) order by v.key) from vendors v), '[]'),
    'contracts', coalesce((select jsonb_agg(jsonb_build_object(
        'contract_id', c.id, 'name', c.name, 'category_id', c.category_id, 'vendor_id', c.vendor_id,
        'amount_minor', c.amount_minor, 'currency', c.currency,
        'amount_base_minor', case when c.rate is not null then private.convert_minor(c.amount_minor, c.rate, c.currency, base) end,
        'frequency', c.frequency, 'interval_months', c.interval_months,
        'anchor_on', coalesce(c.first_payment_on, c.starts_on), 'starts_on', c.starts_on,
        'ends_on', c.effective_ends_on,
        'payments', coalesce((
          select jsonb_agg(jsonb_build_object('transaction_id', p.id, 'booked_on', p.booked_on,
                   'amount_minor', p.amount_minor, 'currency', p.currency) order by p.booked_on desc, p.reference desc)
          from (select t.id, t.booked_on, t.amount_minor, t.currency, t.reference
                from public.transactions t
                where t.org_id = c.org_id and t.contract_id = c.id and t.deleted_at is null and t.kind = 'expense'
                  and t.booked_on between (as_of - interval '9 months')::date and as_of
                order by t.booked_on desc, t.reference desc limit 40) p), '[]'))
        order by c.id)
      from contracts c
      where c.effective_ends_on is null or c.effective_ends_on >= first_month), '[]'),
    'accounts', coalesce((select jsonb_agg(jsonb_build_object(
        'account_id', a.id, 'name', a.name, 'kind', a.kind,
        'balance_minor', case when a.rate is not null then private.convert_minor(a.balance_minor, a.rate, a.currency, base) end,
        'net_minor', (select jsonb_agg(case when a.rate is null then 0
                        else private.convert_minor(coalesce(t.net_minor, 0), a.rate, a.currency, base) end order by g.no)
                      from months g left join totals t on t.dimension = 'a' and t.key = a.id and t.month = g.month),
        'net_current_minor', case when a.rate is null then 0 else private.convert_minor(coalesce((
            select t.net_minor from totals t
            where t.dimension = 'a' and t.key = a.id and t.month = date_trunc('month', as_of)::date), 0),
          a.rate, a.currency, base) end)
        order by a.id) from accounts a), '[]'),
    'recent', coalesce((select jsonb_agg(jsonb_build_object(
        'transaction_id', r.id, 'booked_on', r.booked_on, 'amount_minor', r.amount_minor, 'currency', r.currency,
        'base_amount_minor', r.base_amount_minor, 'account_id', r.account_id, 'vendor_id', r.vendor_id,
        'counterparty', r.counterparty, 'category_id', r.category_id, 'contract_id', r.contract_id)
        order by r.booked_on desc, r.reference desc)
      from (select t.* from public.transactions t
            where t.org_id = insight_inputs.org_id and t.deleted_at is null and t.kind = 'expense'
              and t.booked_on between last_month and as_of
            order by t.booked_on desc, t.reference desc limit 5000) r), '[]')
  ) into result;
  return result;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.insight_inputs(org_id uuid, as_of date DEFAULT NULL::date, history_months integer DEFAULT 36)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select private.insight_inputs(org_id, as_of, history_months);
$function$
;

grant select on table "public"."insight_anomalies" to "authenticated";

grant delete on table "public"."insight_anomalies" to "service_role";

grant insert on table "public"."insight_anomalies" to "service_role";

grant references on table "public"."insight_anomalies" to "service_role";

grant select on table "public"."insight_anomalies" to "service_role";

grant trigger on table "public"."insight_anomalies" to "service_role";

grant truncate on table "public"."insight_anomalies" to "service_role";

grant update on table "public"."insight_anomalies" to "service_role";


  create policy "members read their organization's anomalies"
  on "public"."insight_anomalies"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));

comment on function public.insight_inputs(pg_catalog.uuid,pg_catalog.date,integer) is 'What the insights (POST /functions/v1/insights) compute from, for any member: history months, each category''s and the top 200 vendors'' monthly sums, contracts with schedules and recent payments, accounts with balances and monthly nets, the expenses since the last complete month began (at most 5,000). See docs/insights.md.';
comment on table public.insight_anomalies is 'Anomalies the insights function found (POST /functions/v1/insights, kind anomalies), one row per stable key, so each is stored and announced once; members read them. See docs/insights.md.';

revoke all on function private.insight_inputs(uuid,date,integer) from public, anon, authenticated, service_role;
grant execute on function private.insight_inputs(uuid,date,integer) to authenticated;
revoke all on function public.insight_inputs(uuid,date,integer) from public, anon, authenticated, service_role;
grant execute on function public.insight_inputs(uuid,date,integer) to authenticated, service_role;
