-- Found by the benchmark (bench/, issue 6), second round: less work per write, and a dashboard
-- whose cost does not grow with the months it spans.
-- Touches: private.monthly_totals ('y' rows), private.transaction_lines, private.dashboard,
-- private.record_change, and the SQL helpers every insert calls (now PL/pgSQL).

-- Helpers on the write path, in PL/pgSQL -----------------------------------------------------
--
-- A SQL function with SET options is neither inlined nor kept planned: it was parsed and planned
-- again on every call. track_functions over 300 inserts of one transaction each: the reference
-- took 48 µs (24 of them naming the sequence, 18 formatting the number), the conversion to the
-- base currency 19 µs, vendor-name normalizing 9 µs. In PL/pgSQL the plans are kept per session.
-- Same bodies as before; convert_minor skips the currency lookup when there is nothing to convert.

create or replace function private.reference_sequence(org_id uuid)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return 'private.' || quote_ident('reference_seq_' || replace(org_id::text, '-', ''));
end;
$$;

create or replace function private.format_reference(n bigint)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return chr(65 + ((n - 1) / 999999)::integer) || lpad((((n - 1) % 999999) + 1)::text, 6, '0');
end;
$$;

create or replace function private.internal_operation()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return nullif(current_setting('westwallet.internal_operation', true), '');
end;
$$;

create or replace function private.normalize_vendor_name(name text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return nullif(btrim(regexp_replace(
    regexp_replace(
      regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g'),
      ' (ab|hb|kb|as|asa|a s|aps|ap s|oy|oyj|ab oy|gmbh|ag|kg|ug|ltd|limited|inc|llc|plc|bv|nv|sa)$', ''),
    '\s+', ' ', 'g')), '');
end;
$$;

create or replace function private.base_rate(org_id uuid, currency text, base_currency text, on_date date)
returns numeric
language plpgsql
stable
set search_path = ''
as $$
begin
  if currency = base_currency then
    return 1;
  end if;
  return (
    select r.rate from public.exchange_rates r
    where r.org_id = base_rate.org_id and r.currency = base_rate.currency
      and r.rate_date between on_date - 7 and on_date and r.deleted_at is null
    order by r.rate_date desc
    limit 1
  );
end;
$$;

create or replace function private.convert_minor(amount_minor bigint, rate numeric, from_currency text, to_currency text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
begin
  -- Most amounts are in the base currency already: no lookup of the minor units.
  if from_currency = to_currency then
    return round(amount_minor * rate)::bigint;
  end if;
  return (
    select round(amount_minor * rate * power(10::numeric, t.minor_units - f.minor_units))::bigint
    from public.currencies f, public.currencies t
    where f.code = from_currency and t.code = to_currency
  );
end;
$$;

create or replace function private.write_refusal(org_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select case
      when s.suspended_at is not null then 'SUBSCRIPTION_INACTIVE'
      when s.status = 'trialing' then case when s.trial_ends_at > now() then null else 'TRIAL_EXPIRED' end
      when s.status = 'active' then null
      when s.status = 'canceling' then
        case when s.current_period_end is null or s.current_period_end > now() then null else 'SUBSCRIPTION_INACTIVE' end
      when s.status = 'past_due' then case when s.grace_until > now() then null else 'SUBSCRIPTION_INACTIVE' end
      when s.read_only_reason = 'trial_expired' then 'TRIAL_EXPIRED'
      else 'SUBSCRIPTION_INACTIVE'
    end
    from public.subscriptions s
    where s.org_id = write_refusal.org_id
  );
end;
$$;

-- The broadcast, sent directly -----------------------------------------------------------------
--
-- realtime.broadcast_changes serialized the row a second time and wrapped realtime.send in a
-- second exception block (a subtransaction): 20 µs of the 63 the broadcast took per insert. The
-- payload is the one it built ({old_record, record, operation, table, schema}), from the row
-- serialized once here; realtime.send still turns a failed broadcast into a warning, never a
-- failed write.
create or replace function private.record_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked private.tracked_tables;
  -- Each row is serialized once; everything below reads these.
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  row_data jsonb := coalesce(new_data, old_data);
  org_id uuid;
  operation text := tg_op;
  before jsonb;
  after jsonb;
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
  select * into tracked from private.tracked_tables t where t.table_name = tg_table_name;
  org_id := (row_data ->> tracked.org_column)::uuid;
  -- The organization is being deleted: its log and its members' channels go with it.
  if tg_op = 'DELETE' and not exists (select from public.organizations o where o.id = org_id) then
    return null;
  end if;

  if tg_op = 'INSERT' then
    after := new_data;
  elsif tg_op = 'DELETE' then
    before := old_data;
    if tracked.is_record then
      operation := 'PURGE';
    end if;
  else
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value)
    into before, after
    from jsonb_each(new_data) n
    join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null; -- nothing but the timestamps changed
    end if;
    if after ? 'deleted_at' then
      operation := case when new.deleted_at is null then 'RESTORE' else 'DELETE' end;
      if operation = 'DELETE' then
        before := old_data;
      end if;
    end if;
  end if;

  insert into public.audit_log (
    org_id, table_name, record_id, operation, old_values, new_values,
    actor_id, actor_role, impersonator_id, session_role, undo_of
  ) values (
    org_id, tg_table_name, (row_data ->> 'id')::uuid, operation, before, after,
    auth.uid(),
    coalesce(claims ->> 'role', session_user::text),
    case when claims #>> '{act,sub}' ~ '^[0-9a-f-]{36}$' then (claims #>> '{act,sub}')::uuid end,
    session_user::text,
    nullif(current_setting('westwallet.undo_of', true), '')::bigint
  );

  if tracked.shared_with_members then
    perform realtime.send(
      jsonb_build_object('old_record', old_data, 'record', new_data, 'operation', tg_op,
                         'table', tg_table_name, 'schema', tg_table_schema),
      operation, 'org:' || org_id, true
    );
  end if;
  return null;
end;
$$;

-- Vendor totals per year ----------------------------------------------------------------------
--
-- dashboard(12 months) summed a row per vendor and month: 24,000 rows (10 ms) for a company with
-- 2,000 vendors, and 120,000 for ten years. A 'y' row per vendor and year (month = January 1)
-- lets it read a year mostly inside the period as one row, less the few months outside it:
-- twelve months ending in October read 2 + 1 + 1 rows per vendor instead of 12.

alter table private.monthly_totals drop constraint monthly_totals_dimension_check;
alter table private.monthly_totals add constraint monthly_totals_dimension_check
  check (dimension in ('c', 'v', 'y', 'a'));
comment on column private.monthly_totals.dimension is
  'c: category, v: vendor, y: vendor by year (month is January 1), a: account.';
-- Every write updates a few of these rows: room on each page keeps the new versions on the same
-- page (HOT, no index entry), so an organization's rows stay together. And a read is one
-- organization's few thousand rows at most, which a parallel plan only slows down.
alter table private.monthly_totals set (fillfactor = 80, parallel_workers = 0);

create or replace function private.transaction_lines(t public.transactions, sign integer)
returns private.total_line[]
language plpgsql
stable
set search_path = ''
as $$
declare
  month date := date_trunc('month', t.booked_on)::date;
  year date := date_trunc('year', t.booked_on)::date;
  none constant uuid := '00000000-0000-0000-0000-000000000000';
  expense bigint := case when t.kind = 'expense' then sign * t.base_amount_minor else 0 end;
  income bigint := case when t.kind = 'income' then sign * t.base_amount_minor else 0 end;
  fixed bigint := case when t.contract_id is not null then expense else 0 end;
  lines private.total_line[] := '{}';
begin
  if t.deleted_at is not null then
    return lines;
  end if;
  if t.kind <> 'transfer' then
    if t.is_split then
      -- A part's base amount is shared in proportion to its amount; the last part takes the
      -- rounding remainder, so the shares always sum to the whole.
      select array_agg(row(month, 'c', p.category_id, p.position,
                           case when t.kind = 'expense' then sign * p.base else 0 end,
                           case when t.kind = 'income' then sign * p.base else 0 end,
                           case when t.kind = 'expense' and t.contract_id is not null then sign * p.base else 0 end,
                           0, sign)::private.total_line)
      into lines
      from (
        select s.position, s.category_id,
               coalesce(s.share, t.base_amount_minor - coalesce(sum(s.share) over (), 0)) as base
        from (
          select x.position, x.category_id,
                 case when x.position = max(x.position) over () then null
                      else round(x.amount_minor::numeric * t.base_amount_minor / t.amount_minor)::bigint end as share
          from public.transaction_splits x
          where x.transaction_id = t.id
        ) s
      ) p;
      lines := coalesce(lines, '{}');
    else
      lines := lines || row(month, 'c', coalesce(t.category_id, none), 0, expense, income, fixed, 0, sign)::private.total_line;
    end if;
    lines := lines || row(month, 'v', coalesce(t.vendor_id, none), 0, expense, income, fixed, 0, sign)::private.total_line
                   || row(year, 'y', coalesce(t.vendor_id, none), 0, expense, income, fixed, 0, sign)::private.total_line;
  end if;
  if t.account_id is not null then
    lines := lines || row(month, 'a', t.account_id, 0, 0, 0, 0,
                          sign * case when t.kind = 'income' then t.account_amount_minor else -t.account_amount_minor end,
                          sign)::private.total_line;
  end if;
  if t.kind = 'transfer' then
    lines := lines || row(month, 'a', t.to_account_id, 0, 0, 0, 0, sign * t.to_amount_minor, sign)::private.total_line;
  end if;
  return lines;
end;
$$;

-- The yearly rows of the vendor totals kept so far.
insert into private.monthly_totals
  (org_id, dimension, month, key, slot, expense_minor, income_minor, fixed_minor, net_minor, entries)
select m.org_id, 'y', date_trunc('year', m.month)::date, m.key, m.slot, sum(m.expense_minor), sum(m.income_minor),
       sum(m.fixed_minor), sum(m.net_minor), sum(m.entries)
from private.monthly_totals m
where m.dimension = 'v'
group by m.org_id, date_trunc('year', m.month), m.key, m.slot;

create or replace function private.dashboard(org_id uuid, from_date date, to_date date)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  first_month date := date_trunc('month', from_date)::date;
  last_month date := date_trunc('month', to_date)::date;
  month_count integer;
  -- The vendors' rows to read: each calendar year the period touches for seven months or more
  -- as its yearly row less its months outside the period, the others month by month.
  whole_years date[] := '{}';
  months_less date[] := '{}';
  months_more date[] := '{}';
  year date;
  part_from date;
  part_to date;
  result jsonb;
begin
  perform private.require_org_role(org_id, 'viewer');
  if from_date is null or to_date is null or to_date < from_date or to_date - from_date > 3660 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'from_date, to_date: from_date <= to_date, at most ten years apart';
  end if;
  month_count := (extract(year from age(last_month, first_month)) * 12 + extract(month from age(last_month, first_month)))::integer + 1;
  for year in select y::date from generate_series(date_trunc('year', first_month), last_month, interval '1 year') y loop
    part_from := greatest(year, first_month);
    part_to := least((year + interval '11 months')::date, last_month);
    if extract(month from part_to) - extract(month from part_from) >= 6 then
      whole_years := whole_years || year;
      months_less := months_less || array(
        select m::date from generate_series(year, year + interval '11 months', interval '1 month') m
        where m::date not between part_from and part_to);
    else
      months_more := months_more || array(select m::date from generate_series(part_from, part_to, interval '1 month') m);
    end if;
  end loop;
  with by_category as (
    select m.key, sum(m.expense_minor)::bigint as expense_minor, sum(m.income_minor)::bigint as income_minor,
           sum(m.fixed_minor)::bigint as fixed_minor
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'c' and m.month between first_month and last_month
    group by m.key
  ),
  vendor_lines as (
    select m.key, m.expense_minor, m.income_minor, m.entries
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'y' and m.month = any (whole_years)
    union all
    select m.key, -m.expense_minor, -m.income_minor, -m.entries
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'v' and m.month = any (months_less)
    union all
    select m.key, m.expense_minor, m.income_minor, m.entries
    from private.monthly_totals m
    where m.org_id = dashboard.org_id and m.dimension = 'v' and m.month = any (months_more)
  ),
  -- Vendors with transactions in the period.
  by_vendor as (
    select l.key, sum(l.expense_minor)::bigint as expense_minor, sum(l.income_minor)::bigint as income_minor
    from vendor_lines l
    where l.key <> '00000000-0000-0000-0000-000000000000'
    group by l.key
    having sum(l.entries) <> 0
  ),
  -- Budgets compare with what the category and its subcategories spent.
  budgets as (
    select c.id, c.name, c.monthly_budget_minor * month_count as budget_minor,
           coalesce((select sum(b.expense_minor) from by_category b
                     join public.categories x on x.org_id = c.org_id and x.id = b.key
                     where x.id = c.id or x.parent_id = c.id), 0)::bigint as actual_minor
    from public.categories c
    where c.org_id = dashboard.org_id and c.deleted_at is null and c.monthly_budget_minor is not null
  ),
  totals as (
    select coalesce(sum(b.income_minor), 0)::bigint as income_minor, coalesce(sum(b.expense_minor), 0)::bigint as expense_minor,
           coalesce(sum(b.fixed_minor), 0)::bigint as fixed_minor
    from by_category b
  )
  select jsonb_build_object(
    'from', first_month,
    'to', (last_month + interval '1 month' - interval '1 day')::date,
    'months', month_count,
    'currency', (select o.base_currency from public.organizations o where o.id = dashboard.org_id),
    'income_minor', t.income_minor,
    'expense_minor', t.expense_minor,
    'difference_minor', t.income_minor - t.expense_minor,
    'fixed_expense_minor', t.fixed_minor,
    'variable_expense_minor', t.expense_minor - t.fixed_minor,
    'by_category', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', nullif(b.key, '00000000-0000-0000-0000-000000000000'), 'name', c.name, 'kind', c.kind,
        'parent_id', c.parent_id, 'expense_minor', b.expense_minor, 'income_minor', b.income_minor)
        order by b.expense_minor + b.income_minor desc)
      from by_category b left join public.categories c on c.org_id = dashboard.org_id and c.id = b.key
      where b.expense_minor <> 0 or b.income_minor <> 0), '[]'),
    -- Bounded: an organization may have thousands of vendors. Ranked first, named after: only
    -- the 100 (and 10) shown are looked up.
    'by_vendor', coalesce((select jsonb_agg(jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor,
                                                               'income_minor', b.income_minor)
                                            order by b.expense_minor desc, b.income_minor desc, b.key)
        from (select * from by_vendor order by expense_minor desc, income_minor desc, key limit 100) b
        left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key), '[]'),
    'vendor_count', (select count(*) from by_vendor),
    'top_vendors', coalesce((select jsonb_agg(jsonb_build_object('vendor_id', b.key, 'name', v.name, 'expense_minor', b.expense_minor)
                                              order by b.expense_minor desc, b.key)
        from (select * from by_vendor where expense_minor > 0 order by expense_minor desc, key limit 10) b
        left join public.vendors v on v.org_id = dashboard.org_id and v.id = b.key), '[]'),
    'budgets', coalesce((select jsonb_agg(jsonb_build_object(
        'category_id', b.id, 'name', b.name, 'budget_minor', b.budget_minor, 'actual_minor', b.actual_minor,
        'remaining_minor', b.budget_minor - b.actual_minor) order by b.name) from budgets b), '[]'),
    'budget_total_minor', (select coalesce(sum(b.budget_minor), 0) from budgets b),
    'budget_actual_minor', (select coalesce(sum(b.actual_minor), 0) from budgets b)
  ) into result
  from totals t;
  return result;
end;
$$;

-- Folding the slots ------------------------------------------------------------------------------
--
-- Writers add to their connection's slot, so a busy organization's vendor gathers up to eight
-- rows per month and per year, and every read sums them. Nightly, each organization's slots
-- are folded into slot 0, under the organization's lock: its writers (which hold a key-share
-- lock on it through their foreign keys) wait for the few milliseconds this takes, and no
-- lock cycle with them is possible. The sums do not change.
create function private.compact_monthly_totals(org_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  folded integer;
begin
  perform 1 from public.organizations o where o.id = compact_monthly_totals.org_id for update;
  with moved as (
    delete from private.monthly_totals m
    where m.org_id = compact_monthly_totals.org_id and m.slot <> 0
    returning m.*
  )
  insert into private.monthly_totals as m
    (org_id, dimension, month, key, slot, expense_minor, income_minor, fixed_minor, net_minor, entries)
  select compact_monthly_totals.org_id, d.dimension, d.month, d.key, 0, sum(d.expense_minor), sum(d.income_minor),
         sum(d.fixed_minor), sum(d.net_minor), sum(d.entries)
  from moved d
  group by d.dimension, d.month, d.key
  on conflict (org_id, dimension, month, key, slot) do update set
    expense_minor = m.expense_minor + excluded.expense_minor,
    income_minor = m.income_minor + excluded.income_minor,
    fixed_minor = m.fixed_minor + excluded.fixed_minor,
    net_minor = m.net_minor + excluded.net_minor,
    entries = m.entries + excluded.entries;
  get diagnostics folded = row_count;
  return folded;
end;
$$;
comment on function private.compact_monthly_totals(uuid) is
  'Folds an organization''s totals slots into slot 0 (same sums, fewer rows to read); returns the rows written.';

-- Every organization with slots to fold, one transaction each, so no organization waits for
-- another's. Without SET or SECURITY DEFINER, which would forbid the COMMIT: it runs as the cron
-- job's owner, and names everything with its schema.
create procedure private.compact_all_monthly_totals()
language plpgsql
as $$
declare
  org uuid;
begin
  for org in select distinct m.org_id from private.monthly_totals m where m.slot <> 0 loop
    perform private.compact_monthly_totals(org);
    commit;
  end loop;
end;
$$;

select cron.schedule('monthly-totals-compact', '43 2 * * *', 'call private.compact_all_monthly_totals()');
