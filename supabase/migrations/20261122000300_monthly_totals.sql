-- Monthly totals per category, vendor and account, kept by triggers in the same transaction as
-- the transactions they sum, so statistics cost the same with a hundred transactions or a million.
-- Touches: private.monthly_totals; triggers on transactions and transaction_splits.

create table private.monthly_totals (
  org_id uuid not null references public.organizations (id) on delete cascade,
  month date not null,
  -- c: category (base currency), v: vendor (base currency), a: account (the account's currency).
  dimension "char" not null check (dimension in ('c', 'v', 'a')),
  -- The category, vendor or account; the nil uuid for "none" (uncategorized, no vendor).
  key uuid not null,
  -- Concurrent writers to one organization add to different rows (slot = their backend), so
  -- they do not queue behind each other's row locks; readers sum the slots.
  slot smallint not null,
  expense_minor bigint not null default 0,
  income_minor bigint not null default 0,
  -- Expenses linked to a contract: the fixed costs.
  fixed_minor bigint not null default 0,
  -- Accounts only: what came in minus what went out.
  net_minor bigint not null default 0,
  entries integer not null default 0,
  primary key (org_id, dimension, month, key, slot)
);
comment on table private.monthly_totals is
  'Sums of live transactions by month and category, vendor or account; maintained by triggers, read by expense_stats(), dashboard() and account_balances().';

-- One line of what a transaction adds to the totals. `part` is the split part's position (0 when
-- the transaction is not split), so a part's share can be found again.
create type private.total_line as (
  month date, dimension "char", key uuid, part smallint,
  expense_minor bigint, income_minor bigint, fixed_minor bigint, net_minor bigint, entries integer
);

-- What one transaction adds to the totals (`sign` -1: what it takes away): a line per dimension,
-- a category line per part when split, nothing while it is in the trash. PL/pgSQL rather than SQL
-- so its plans are cached for the session: it runs on every write.
create function private.transaction_lines(t public.transactions, sign integer)
returns private.total_line[]
language plpgsql
stable
set search_path = ''
as $$
declare
  month date := date_trunc('month', t.booked_on)::date;
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
    lines := lines || row(month, 'v', coalesce(t.vendor_id, none), 0, expense, income, fixed, 0, sign)::private.total_line;
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

-- Adds lines to the totals, in key order so that two writers never lock the same rows in
-- opposite orders; lines that cancel out (an edit of the notes) write nothing.
create function private.add_to_totals(org_id uuid, lines private.total_line[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  insert into private.monthly_totals as m
    (org_id, dimension, month, key, slot, expense_minor, income_minor, fixed_minor, net_minor, entries)
  select add_to_totals.org_id, l.dimension, l.month, l.key, pg_backend_pid() % 8,
         sum(l.expense_minor), sum(l.income_minor), sum(l.fixed_minor), sum(l.net_minor), sum(l.entries)
  from unnest(lines) l
  group by l.dimension, l.month, l.key
  having sum(l.expense_minor) <> 0 or sum(l.income_minor) <> 0 or sum(l.fixed_minor) <> 0
      or sum(l.net_minor) <> 0 or sum(l.entries) <> 0
  order by l.dimension, l.month, l.key
  on conflict (org_id, dimension, month, key, slot) do update set
    expense_minor = m.expense_minor + excluded.expense_minor,
    income_minor = m.income_minor + excluded.income_minor,
    fixed_minor = m.fixed_minor + excluded.fixed_minor,
    net_minor = m.net_minor + excluded.net_minor,
    entries = m.entries + excluded.entries;
end;
$$;

create function private.track_transaction_totals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- set_transaction_splits() moves the totals itself around changing the parts.
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform private.add_to_totals(new.org_id, private.transaction_lines(new, 1));
  elsif tg_op = 'UPDATE' then
    perform private.add_to_totals(new.org_id, private.transaction_lines(old, -1) || private.transaction_lines(new, 1));
  else
    -- Before the row goes, while its parts can still be read (the cascade deletes them).
    if exists (select from public.organizations o where o.id = old.org_id) then
      perform private.add_to_totals(old.org_id, private.transaction_lines(old, -1));
    end if;
    return old;
  end if;
  return null;
end;
$$;

create trigger track_transaction_totals after insert on public.transactions
  for each row execute function private.track_transaction_totals();
-- Compares the final rows (after prepare_transaction derived the amounts and the vendor), so an
-- edit of the description alone costs nothing here.
create trigger track_transaction_totals_update after update on public.transactions
  for each row when (
    (old.kind, old.booked_on, old.base_amount_minor, old.account_id, old.account_amount_minor, old.to_account_id,
     old.to_amount_minor, old.vendor_id, old.category_id, old.contract_id, old.is_split, old.deleted_at)
    is distinct from
    (new.kind, new.booked_on, new.base_amount_minor, new.account_id, new.account_amount_minor, new.to_account_id,
     new.to_amount_minor, new.vendor_id, new.category_id, new.contract_id, new.is_split, new.deleted_at))
  execute function private.track_transaction_totals();
-- Named to run after trash_instead_of_delete, which turns ordinary deletes into trashing.
create trigger zz_track_transaction_totals before delete on public.transactions
  for each row execute function private.track_transaction_totals();

-- A part moved to another category (delete_category()): its share moves with it.
create function private.track_split_category()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  t public.transactions;
  line private.total_line;
begin
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  select * into t from public.transactions x where x.org_id = new.org_id and x.id = new.transaction_id;
  select * into line from unnest(private.transaction_lines(t, 1)) l where l.dimension = 'c' and l.part = new.position;
  if line.month is null then
    return null; -- the transaction is in the trash
  end if;
  perform private.add_to_totals(new.org_id, array[
    row(line.month, 'c', old.category_id, line.part, -line.expense_minor, -line.income_minor, -line.fixed_minor, 0, -1),
    row(line.month, 'c', new.category_id, line.part, line.expense_minor, line.income_minor, line.fixed_minor, 0, 1)
  ]::private.total_line[]);
  return null;
end;
$$;

create trigger track_split_category after update of category_id on public.transaction_splits
  for each row when (old.category_id is distinct from new.category_id)
  execute function private.track_split_category();

-- Checking and rebuilding -------------------------------------------------------------------------

-- The totals as they should be, from the transactions themselves.
create function private.fresh_monthly_totals(org_id uuid)
returns table (dimension "char", month date, key uuid, expense_minor bigint, income_minor bigint,
               fixed_minor bigint, net_minor bigint, entries bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select l.dimension, l.month, l.key, sum(l.expense_minor)::bigint, sum(l.income_minor)::bigint,
         sum(l.fixed_minor)::bigint, sum(l.net_minor)::bigint, sum(l.entries)::bigint
  from public.transactions t
  cross join lateral unnest(private.transaction_lines(t, 1)) l
  where t.org_id = fresh_monthly_totals.org_id and t.deleted_at is null
  group by l.dimension, l.month, l.key;
$$;

-- Where the kept totals differ from fresh ones (empty when all is well).
create function private.monthly_totals_drift(org_id uuid)
returns table (dimension "char", month date, key uuid, kept jsonb, fresh jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  with kept as (
    select m.dimension, m.month, m.key, sum(m.expense_minor)::bigint as expense_minor,
           sum(m.income_minor)::bigint as income_minor, sum(m.fixed_minor)::bigint as fixed_minor,
           sum(m.net_minor)::bigint as net_minor, sum(m.entries)::bigint as entries
    from private.monthly_totals m
    where m.org_id = monthly_totals_drift.org_id
    group by m.dimension, m.month, m.key
  ), fresh as (
    select * from private.fresh_monthly_totals(monthly_totals_drift.org_id)
  )
  select coalesce(k.dimension, f.dimension), coalesce(k.month, f.month), coalesce(k.key, f.key),
         to_jsonb(k) - 'dimension' - 'month' - 'key', to_jsonb(f) - 'dimension' - 'month' - 'key'
  from kept k
  full join fresh f on (f.dimension, f.month, f.key) = (k.dimension, k.month, k.key)
  where (k.expense_minor, k.income_minor, k.fixed_minor, k.net_minor, k.entries)
        is distinct from (f.expense_minor, f.income_minor, f.fixed_minor, f.net_minor, f.entries)
    and not (f.dimension is null and k.expense_minor = 0 and k.income_minor = 0 and k.fixed_minor = 0
             and k.net_minor = 0 and k.entries = 0);
$$;

-- Recomputes an organization's totals from its transactions: after a bulk load that bypassed
-- the triggers, or to repair. Takes the organization's lock so no writer adds meanwhile.
create function private.rebuild_monthly_totals(org_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.organizations o where o.id = rebuild_monthly_totals.org_id for update;
  delete from private.monthly_totals m where m.org_id = rebuild_monthly_totals.org_id;
  insert into private.monthly_totals
    (org_id, dimension, month, key, slot, expense_minor, income_minor, fixed_minor, net_minor, entries)
  select rebuild_monthly_totals.org_id, f.dimension, f.month, f.key, 0, f.expense_minor, f.income_minor,
         f.fixed_minor, f.net_minor, f.entries
  from private.fresh_monthly_totals(rebuild_monthly_totals.org_id) f;
end;
$$;
