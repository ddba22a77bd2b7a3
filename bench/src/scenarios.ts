import type postgres from 'postgres';
import { type Claims, claimsOf, type Request, send } from './requests.ts';

/** An organization the requests act in, with what an app would have at hand for it. */
export interface Subject {
  org: string;
  claims: Claims;
  currency: string;
  account: string;
  category: string;
  counterparties: string[];
}

/** What the scenarios need from the loaded data set, looked up once before they run. */
export interface Context {
  company: Subject;
  households: Subject[];
  /** The last whole year with data, for expense_stats. */
  statsYear: number;
  /** The last twelve whole months, for dashboard. */
  dashboardFrom: string;
  dashboardTo: string;
  /** The last row of page 100 of the company's newest-first list: the cursor for page 101. */
  deepCursor: { booked_on: string; reference: string };
  searchTerms: string[];
  /** Cursors with exactly 100 changes after them (prepareSync). */
  syncCursors?: { company: string; household: string };
}

export async function loadContext(sql: postgres.Sql): Promise<Context> {
  const subjects = await sql<(Omit<Subject, 'claims'> & { owner: string; profile: string })[]>`
    select b.org_id as org, b.owner_id as owner, b.profile, b.base_currency as currency, a.account_id as account, c.id as category,
           v.names as counterparties
    from bench.orgs b
    join bench.org_accounts a on a.org_id = b.org_id and a.role = 'main'
    join public.categories c on c.org_id = b.org_id and c.deleted_at is null
      and c.key = case b.profile when 'company' then 'goods' else 'groceries' end
    join bench.org_vendors v on v.org_id = b.org_id and v.grp = case b.profile when 'company' then 'suppliers' else 'groceries' end
    order by b.idx`;
  const toSubject = ({ owner, profile: _, ...rest }: (typeof subjects)[number]): Subject => ({
    ...rest,
    claims: claimsOf(owner),
  });
  const company = toSubject(subjects.find((s) => s.profile === 'company') ?? fail('no company in the data set'));
  const households = subjects.filter((s) => s.profile === 'household').map(toSubject);
  const [dates] = await sql<{ stats_year: number; dashboard_from: string; dashboard_to: string }[]>`
    select extract(year from current_date)::int - 1 as stats_year,
           (date_trunc('month', current_date) - interval '12 months')::date::text as dashboard_from,
           (date_trunc('month', current_date) - interval '1 day')::date::text as dashboard_to`;
  const [deepCursor] = await sql<{ booked_on: string; reference: string }[]>`
    select booked_on::text, reference from public.transactions
    where org_id = ${company.org} and deleted_at is null
    order by booked_on desc, reference desc offset 4999 limit 1`;
  // What people look for: a supplier, an invoice number, a word from a description.
  const [terms] = await sql<{ supplier: string; invoice: string }[]>`
    select (select v.name from public.vendors v where v.org_id = ${company.org} order by v.name offset 7 limit 1) as supplier,
           (select substring(t.description from '[0-9]{5}$') from public.transactions t
            where t.org_id = ${company.org} and t.deleted_at is null and t.description ~ '[0-9]{5}$'
            order by t.booked_on limit 1) as invoice`;
  return {
    company,
    households,
    statsYear: dates.stats_year,
    dashboardFrom: dates.dashboard_from,
    dashboardTo: dates.dashboard_to,
    deepCursor: deepCursor ?? fail('the company has fewer than 5,000 transactions: no page 100'),
    searchTerms: [terms.supplier, terms.invoice ?? 'faktura', 'kontorsmaterial', 'hotell', 'tull och frakt'],
  };
}

/**
 * Makes 100 changes in the company and in one household, as their owners through the triggers
 * (100 updates each), and keeps the cursor from just before: sync_changes from it returns them.
 */
export async function prepareSync(sql: postgres.Sql, context: Context): Promise<void> {
  const changeHundred = async (subject: Subject) => {
    const [{ cursor }] = await sql<
      { cursor: string }[]
    >`select pg_snapshot_xmin(pg_current_snapshot())::text as cursor`;
    await send(sql, {
      as: subject.claims,
      method: 'PATCH',
      path: '/transactions',
      // A new note each run, so each run makes 100 real changes (an unchanged row logs nothing).
      query: (tx) => tx`
        update public.transactions set notes = 'Kontrollerad ' || clock_timestamp()::text
        where id in (select id from public.transactions where org_id = ${subject.org}
                     order by booked_on desc, reference desc limit 100)`,
    });
    return cursor;
  };
  context.syncCursors = {
    company: await changeHundred(context.company),
    household: await changeHundred(context.households[0]),
  };
}

// Queries shaped as PostgREST shapes them: the read in a CTE, the body as one json_agg. ----------

/** `from('transactions').select('*, category:categories(name), vendor:vendors(name)')`, ordered newest first. */
function listQuery(tx: postgres.TransactionSql, source: postgres.Fragment, where = tx``) {
  return tx`
    with pgrst_source as (
      select t.*, row_to_json(c_1.*)::jsonb as category, row_to_json(v_1.*)::jsonb as vendor
      from ${source}
      left join lateral (select c.name from public.categories c where c.org_id = t.org_id and c.id = t.category_id) c_1 on true
      left join lateral (select v.name from public.vendors v where v.org_id = t.org_id and v.id = t.vendor_id) v_1 on true
      ${where}
      order by t.booked_on desc, t.reference desc
      limit 50
    )
    select null::bigint as total_result_set, pg_catalog.count(_postgrest_t) as page_total,
           coalesce(json_agg(_postgrest_t), '[]')::text as body
    from (select * from pgrst_source) _postgrest_t`;
}

const newestFirst = (tx: postgres.TransactionSql, org: string) =>
  listQuery(tx, tx`public.transactions t`, tx`where t.org_id = ${org}::uuid and t.deleted_at is null`);

/** `rpc('name', args)` of a function returning one value. */
function scalarRpc(tx: postgres.TransactionSql, call: postgres.Fragment) {
  return tx`
    with pgrst_source as (select ${call} as pgrst_scalar)
    select null::bigint as total_result_set, 1 as page_total,
           coalesce(json_agg(_postgrest_t.pgrst_scalar) -> 0, 'null')::text as body
    from (select * from pgrst_source) _postgrest_t`;
}

/** A split part's share of its transaction's base amount (the whole amount when `s` is no part). */
const baseShare = (tx: postgres.TransactionSql) =>
  tx`coalesce(round(s.amount_minor::numeric * t.base_amount_minor / t.amount_minor)::bigint, t.base_amount_minor)`;

/** expense_stats' answer computed from the raw rows (split parts by their share) instead of the totals. */
function rawExpenseStats(tx: postgres.TransactionSql, org: string, year: number) {
  return tx`
    with lines as (
      select coalesce(s.category_id, t.category_id) as key, extract(month from t.booked_on)::int as month_no, t.kind,
             ${baseShare(tx)} as base
      from public.transactions t
      left join public.transaction_splits s on t.is_split and s.org_id = t.org_id and s.transaction_id = t.id
      where t.org_id = ${org} and t.deleted_at is null and t.kind <> 'transfer'
        and t.booked_on >= make_date(${year}, 1, 1) and t.booked_on < make_date(${year} + 1, 1, 1)
    ),
    per_key as (
      select key, month_no, coalesce(sum(base) filter (where kind = 'expense'), 0)::bigint as expense_minor,
             coalesce(sum(base) filter (where kind = 'income'), 0)::bigint as income_minor
      from lines group by key, month_no
    ),
    months as (
      select g.month_no, coalesce(sum(t.base_amount_minor) filter (where t.kind = 'income'), 0)::bigint as income_minor,
             coalesce(sum(t.base_amount_minor) filter (where t.kind = 'expense'), 0)::bigint as expense_minor
      from generate_series(1, 12) g (month_no)
      left join public.transactions t on t.org_id = ${org} and t.deleted_at is null and t.kind <> 'transfer'
        and t.booked_on >= make_date(${year}, g.month_no, 1) and t.booked_on < make_date(${year}, g.month_no, 1) + interval '1 month'
      group by g.month_no
    )
    select jsonb_build_object(
      'months', (select jsonb_agg(jsonb_build_object('month', to_char(make_date(${year}, m.month_no, 1), 'YYYY-MM'),
                   'income_minor', m.income_minor, 'expense_minor', m.expense_minor,
                   'difference_minor', m.income_minor - m.expense_minor) order by m.month_no) from months m),
      'categories', (select jsonb_agg(jsonb_build_object('category_id', k.key, 'name', c.name,
                       'expense_by_month_minor', k.expense_by_month, 'income_by_month_minor', k.income_by_month))
                     from (select p.key, jsonb_agg(coalesce(p2.expense_minor, 0) order by g.month_no) as expense_by_month,
                                  jsonb_agg(coalesce(p2.income_minor, 0) order by g.month_no) as income_by_month
                           from (select distinct key from per_key) p cross join generate_series(1, 12) g (month_no)
                           left join per_key p2 on p2.key is not distinct from p.key and p2.month_no = g.month_no
                           group by p.key) k
                     left join public.categories c on c.org_id = ${org} and c.id = k.key)
    )::text as body`;
}

/** dashboard's totals, categories and top vendors computed from the raw rows. */
function rawDashboard(tx: postgres.TransactionSql, org: string, from: string, to: string) {
  return tx`
    with t as (
      select * from public.transactions t
      where t.org_id = ${org} and t.deleted_at is null and t.kind <> 'transfer' and t.booked_on between ${from} and ${to}
    )
    select jsonb_build_object(
      'income_minor', (select coalesce(sum(base_amount_minor) filter (where kind = 'income'), 0) from t),
      'expense_minor', (select coalesce(sum(base_amount_minor) filter (where kind = 'expense'), 0) from t),
      'fixed_minor', (select coalesce(sum(base_amount_minor) filter (where kind = 'expense' and contract_id is not null), 0) from t),
      'by_category', (select jsonb_agg(x) from (
          select coalesce(s.category_id, t.category_id) as category_id,
                 sum(${baseShare(tx)}) as amount_minor
          from t left join public.transaction_splits s on t.is_split and s.org_id = t.org_id and s.transaction_id = t.id
          group by 1) x),
      'by_vendor', (select jsonb_agg(x) from (
          select t.vendor_id, v.name, sum(t.base_amount_minor) as expense_minor
          from t left join public.vendors v on v.org_id = t.org_id and v.id = t.vendor_id
          where t.kind = 'expense' group by 1, 2 order by 3 desc limit 100) x)
    )::text as body`;
}

/** `from('transactions').insert(row).select()`: PostgREST's json_populate_recordset insert. */
function insertQuery(tx: postgres.TransactionSql, table: 'transactions' | 'plain', row: Record<string, unknown>) {
  const target = table === 'plain' ? tx`bench.transactions_plain` : tx`public.transactions`;
  return tx`
    with pgrst_source as (
      insert into ${target} (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty,
                                           category_id, description, payment_method)
      select org_id, kind, booked_on, amount_minor, currency, account_id, counterparty, category_id, description, payment_method
      from json_populate_recordset(null::public.transactions, ${tx.json([row] as postgres.JSONValue)}::json) _
      returning *
    )
    select '' as total_result_set, pg_catalog.count(_postgrest_t) as page_total,
           coalesce(json_agg(_postgrest_t), '[]')::text as body
    from (select * from pgrst_source) _postgrest_t`;
}

// Scenarios -------------------------------------------------------------------------------------

export interface Scenario {
  key: string;
  title: string;
  request: (n: number) => Request;
  /**
   * The scenario this one is compared with, by key: the two are timed in turns (measure's
   * slices), so that their ratio does not follow what the machine did in one of them alone.
   */
  timedWith?: string;
}

const pick = <T>(items: T[], n: number): T => items[n % items.length];
const get = (path: string, as: Claims | null, query: Request['query']): Request => ({ as, method: 'GET', path, query });

export function scenarios(context: Context): Scenario[] {
  const { company, households } = context;
  const aDayThisMonth = (n: number) => {
    const d = new Date();
    d.setUTCDate(1 + (n % Math.max(1, d.getUTCDate())));
    return d.toISOString().slice(0, 10);
  };
  const newRow = (subject: Subject, n: number) => ({
    org_id: subject.org,
    kind: 'expense',
    booked_on: aDayThisMonth(n),
    amount_minor: 1000 + ((n * 7919) % 250_000),
    currency: subject.currency,
    account_id: subject.account,
    counterparty: pick(subject.counterparties, n),
    category_id: subject.category,
    description: 'Inköp',
    payment_method: 'card',
  });
  const insert = (table: 'transactions' | 'plain', subject: Subject, n: number): Request => ({
    as: subject.claims,
    method: 'POST',
    path: '/transactions',
    query: (tx) => insertQuery(tx, table, newRow(subject, n)),
  });
  const syncCursors = () => context.syncCursors ?? fail('prepareSync runs before the sync scenarios');
  const listNewest: Scenario = {
    key: 'list_newest',
    title: 'list newest 50 with category and vendor names, big company',
    request: () => get('/transactions', company.claims, (tx) => newestFirst(tx, company.org)),
  };
  const listHousehold: Scenario = {
    key: 'list_small_household',
    title: 'list newest 50, a small household beside the big company',
    request: (n) => {
      const household = pick(households, n);
      return get('/transactions', household.claims, (tx) => newestFirst(tx, household.org));
    },
  };
  return [
    listNewest,
    withoutRls(listNewest, 'baseline: the same read as a superuser, without row-level security'),
    {
      key: 'list_keyset_page_101',
      title: 'keyset page 101 (after 100 pages of 50), big company',
      request: () =>
        get('/rpc/search_transactions', company.claims, (tx) =>
          listQuery(
            tx,
            tx`public.search_transactions(org_id := ${company.org}::uuid, after_booked_on := ${context.deepCursor.booked_on}::date,
                                          after_reference := ${context.deepCursor.reference}, max_rows := 50) t`,
          ),
        ),
    },
    listHousehold,
    withoutRls(listHousehold, 'baseline: the household list as a superuser, without row-level security'),
    {
      key: 'expense_stats',
      title: `expense_stats(${context.statsYear}), big company`,
      request: () =>
        get('/rpc/expense_stats', company.claims, (tx) =>
          scalarRpc(tx, tx`public.expense_stats(org_id := ${company.org}::uuid, year := ${context.statsYear}::int)`),
        ),
    },
    {
      key: 'expense_stats_raw',
      title: 'baseline: the same statistics from the raw rows',
      request: () => get('/transactions', company.claims, (tx) => rawExpenseStats(tx, company.org, context.statsYear)),
    },
    {
      key: 'dashboard',
      title: 'dashboard(12 months), big company',
      request: () =>
        get('/rpc/dashboard', company.claims, (tx) =>
          scalarRpc(
            tx,
            tx`public.dashboard(org_id := ${company.org}::uuid, from_date := ${context.dashboardFrom}::date, to_date := ${context.dashboardTo}::date)`,
          ),
        ),
    },
    {
      key: 'dashboard_raw',
      title: 'baseline: the dashboard totals, categories and vendors from the raw rows',
      request: () =>
        get('/transactions', company.claims, (tx) =>
          rawDashboard(tx, company.org, context.dashboardFrom, context.dashboardTo),
        ),
    },
    {
      key: 'search',
      title: 'text search (supplier, invoice number, words), big company',
      request: (n) =>
        get('/rpc/search_transactions', company.claims, (tx) =>
          listQuery(
            tx,
            tx`public.search_transactions(org_id := ${company.org}::uuid, text_query := ${pick(context.searchTerms, n)}::text, max_rows := 50) t`,
          ),
        ),
    },
    {
      key: 'sync_company',
      title: 'sync_changes with 100 changes after the cursor, big company',
      request: () =>
        get('/rpc/sync_changes', company.claims, (tx) =>
          scalarRpc(
            tx,
            tx`public.sync_changes(cursor := ${syncCursors().company}::text, max_rows := 500, org_id := ${company.org}::uuid)`,
          ),
        ),
    },
    {
      key: 'sync_household',
      title: 'sync_changes with 100 changes after the cursor, small household',
      request: () => {
        const household = households[0];
        return get('/rpc/sync_changes', household.claims, (tx) =>
          scalarRpc(
            tx,
            tx`public.sync_changes(cursor := ${syncCursors().household}::text, max_rows := 500, org_id := ${household.org}::uuid)`,
          ),
        );
      },
      timedWith: 'sync_company',
    },
    {
      key: 'insert_spread',
      title: 'insert one transaction through every trigger, spread across households',
      request: (n) => insert('transactions', pick(households, n), n),
    },
    {
      key: 'insert_hot',
      title: 'insert one transaction through every trigger, all into the big company',
      request: (n) => insert('transactions', company, n),
      timedWith: 'insert_spread',
    },
    {
      key: 'insert_without_triggers',
      title: 'baseline: the same inserts, spread, into a copy of the table without our triggers',
      request: (n) => insert('plain', pick(households, n), n),
      timedWith: 'insert_spread',
    },
  ];
}

/** The same request as the superuser, where row-level security does not apply: `<key>_superuser`. */
const withoutRls = (of: Scenario, title: string): Scenario => ({
  key: `${of.key}_superuser`,
  title,
  request: (n) => ({ ...of.request(n), as: null }),
  timedWith: of.key,
});

function fail(message: string): never {
  throw new Error(message);
}
