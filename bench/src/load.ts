import os from 'node:os';
import { connect } from '@westwallet/devstack/database';
import type postgres from 'postgres';
import type { BenchOptions } from './options.ts';

export interface LoadReport {
  seconds: Record<string, number>;
  counts: Record<string, number>;
  /** Every check the loaded data passed (a failed one throws). */
  checks: string[];
}

type Log = (line: string) => void;

/**
 * Loads the data set: organizations, accounts, vendors, contracts and rates through the app's own
 * triggers; transactions in bulk with the triggers off (bench/sql/generator.sql), one job per
 * household and per company month, on as many connections as there are cores; then the
 * monthly totals rebuilt, statistics gathered, and everything checked.
 */
export async function loadDataset(url: string, options: BenchOptions, log: Log): Promise<LoadReport> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await fn();
    seconds[step] = round((performance.now() - started) / 1000, 1);
    log(`${step}: ${seconds[step]} s`);
    return result;
  };
  const workers = Math.max(2, os.availableParallelism());
  const sql = connect(url, { max: 1 });
  try {
    const [{ first_day, last_day }] = await sql<{ first_day: string; last_day: string }[]>`
      select (date_trunc('month', current_date) - make_interval(months => ${options.years * 12 - 1}))::date::text as first_day,
             current_date::text as last_day`;

    const { company, households } = await timed('organizations, accounts, vendors, contracts, rates', async () => {
      const suppliers = clamp(Math.round(options.companyTransactions / 600), 20, 1500);
      const customers = clamp(Math.round(options.companyTransactions / 2000), 10, 500);
      await sql`select setseed(0.6)`;
      const [{ company }] = await sql<{ company: string }[]>`
        select bench.create_company(${suppliers}, ${customers}) as company`;
      await sql`select bench.outfit(array[${company}::uuid], ${first_day}::date, ${last_day}::date)`;
      for (let first = 1; first <= options.households; first += 100) {
        const count = Math.min(100, options.households - first + 1);
        await sql`select bench.create_households(${first}, ${count})`;
        await sql`select bench.outfit(array(select org_id from bench.orgs where profile = 'household'
                                             and idx between ${first} and ${first + count - 1}), ${first_day}::date, ${last_day}::date)`;
      }
      const households = (
        await sql<{ org_id: string }[]>`
        select org_id from bench.orgs where profile = 'household' order by idx`
      ).map((r) => r.org_id);
      return { company, households };
    });

    await timed('transactions (bulk, triggers off)', async () => {
      const months = await sql<{ first: string; last: string; days: number }[]>`
        select greatest(m, ${first_day}::date)::date::text as first,
               least(m + interval '1 month' - interval '1 day', ${last_day}::date)::date::text as last,
               least(m + interval '1 month' - interval '1 day', ${last_day}::date)::date - m::date + 1 as days
        from generate_series(${first_day}::date, ${last_day}::date, interval '1 month') m`;
      const totalDays = months.reduce((sum, m) => sum + m.days, 0);
      type Job = [org: string, howMany: number, first: string, last: string];
      // Each month its share by days, rounded so that the shares add up to the size asked for.
      let daysBefore = 0;
      const companyJobs = months.map((m): Job => {
        const share = (days: number) => Math.round((options.companyTransactions * days) / totalDays);
        const howMany = share(daysBefore + m.days) - share(daysBefore);
        daysBefore += m.days;
        return [company, howMany, m.first, m.last];
      });
      const householdJobs = households.map((org): Job => [org, options.householdTransactions, first_day, last_day]);
      // Company months spread evenly among the households: two workers seldom want the
      // company's reference block at once (commit_drafts takes it one at a time).
      const jobs: Job[] = [];
      const every = Math.max(1, Math.floor(householdJobs.length / companyJobs.length));
      for (const [i, job] of companyJobs.entries()) jobs.push(job, ...householdJobs.slice(i * every, (i + 1) * every));
      jobs.push(...householdJobs.slice(companyJobs.length * every));
      let done = 0;
      let nextReport = 0.1;
      await inParallel(
        url,
        workers,
        jobs,
        async (db, [org, howMany, first, last]) => {
          await db`select bench.load_org(${org}, ${howMany}, ${first}::date, ${last}::date)`;
          done += 1;
          if (done / jobs.length >= nextReport) {
            log(`  ${Math.round((done / jobs.length) * 100)} % of ${jobs.length} jobs`);
            nextReport += 0.1;
          }
        },
        { triggersOff: true },
      );
    });

    const orgs = [company, ...households];
    await timed('monthly totals rebuilt', () =>
      inParallel(url, workers, orgs, (db, org) => db`select private.rebuild_monthly_totals(${org})`),
    );
    await timed(
      'copy of the transactions without triggers (the insert baseline)',
      () => sql`select bench.create_plain_copy()`,
    );
    await timed('vacuum and analyze', () =>
      inParallel(
        url,
        workers,
        [
          'public.transactions',
          'bench.transactions_plain',
          'public.audit_log',
          'public.transaction_splits',
          'private.monthly_totals',
          'public.vendors',
        ],
        (db, table) => db.unsafe(`vacuum (analyze) ${table}`),
      ),
    );
    const checks = await timed('checks', () => checkDataset(url, sql, orgs, workers));
    const [counts] = await sql<Record<string, number>[]>`
      select (select count(*) from bench.orgs)::int as organizations,
             (select count(*) from public.transactions)::int as transactions,
             (select count(*) from public.transactions where org_id = ${company})::int as company_transactions,
             (select count(*) from public.transactions where kind = 'transfer')::int as transfers,
             (select count(*) from public.transactions where is_split)::int as split_transactions,
             (select count(*) from public.transactions t join bench.orgs b using (org_id) where t.currency <> b.base_currency)::int as foreign_currency,
             (select count(*) from public.transactions where contract_id is not null)::int as contract_payments,
             (select count(*) from public.vendors)::int as vendors,
             (select count(*) from public.contracts)::int as contracts,
             (select count(*) from public.exchange_rates)::int as exchange_rates,
             (select count(*) from public.audit_log)::int as audit_rows,
             (pg_database_size(current_database()) / 1048576)::int as database_mb`;
    return { seconds, counts, checks };
  } finally {
    await sql.end();
  }
}

/**
 * Proves the bulk load left what the app's own writes would have: no dangling composite
 * reference, split parts that sum, an audit row per transaction, sequences ahead of the
 * references, totals equal to a fresh aggregate in every organization, and a sample of rows
 * written again through the triggers (rolled back) coming out with the same derived columns.
 */
async function checkDataset(url: string, sql: postgres.Sql, orgs: string[], workers: number): Promise<string[]> {
  const passed: string[] = [];
  const fail = (what: string, detail: unknown) => {
    throw new Error(`The loaded data set is wrong: ${what}: ${JSON.stringify(detail)}`);
  };
  for (const table of ['public.transactions', 'public.transaction_splits']) {
    const dangling = await sql<{ constraint_name: string; dangling: number }[]>`
      select constraint_name, dangling::int from bench.dangling_references(${table}::regclass) where dangling > 0`;
    if (dangling.length > 0) fail(`dangling references in ${table}`, dangling);
  }
  passed.push('no dangling foreign key in transactions or transaction_splits');
  const problems = await sql<{ problem: string; failures: number }[]>`
    select problem, failures::int from bench.load_problems() where failures > 0`;
  if (problems.length > 0) fail('problems', problems);
  passed.push('split parts sum to their transaction; every transaction has its audit row; sequences are ahead');

  let drifting = 0;
  await inParallel(url, workers, orgs, async (db, org) => {
    const [{ count }] = await db<{ count: number }[]>`select count(*)::int from private.monthly_totals_drift(${org})`;
    drifting += count;
  });
  if (drifting > 0) fail('monthly totals differ from a fresh aggregate', { rows: drifting });
  passed.push(`monthly totals equal a fresh aggregate of the raw rows in all ${orgs.length} organizations`);

  // Written again through every trigger, a sample must get the same derived columns, and the
  // totals the triggers keep on top of the loaded ones must still agree with the raw rows.
  class Rollback extends Error {}
  let replayed = 0;
  await sql
    .begin(async (tx) => {
      const rows = await tx<{ id: string; org_id: string; same: boolean }[]>`
        with sample as (
          select t.* from public.transactions t tablesample system (1) repeatable (7)
          where not t.is_split and t.deleted_at is null
          limit 400
        ),
        replayed as (
          insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, to_account_id,
                                           counterparty, category_id, description, notes, payment_method, contract_id)
          select s.org_id, s.kind, s.booked_on, s.amount_minor, s.currency, s.account_id, s.to_account_id,
                 s.counterparty, s.category_id, s.description, s.id::text, s.payment_method, s.contract_id
          from sample s
          returning *
        )
        select s.id, s.org_id,
               (r.fx_rate, r.base_amount_minor, r.account_amount_minor, r.to_amount_minor, r.vendor_id, r.category_id)
               is not distinct from (s.fx_rate, s.base_amount_minor, s.account_amount_minor, s.to_amount_minor, s.vendor_id, s.category_id) as same
        from sample s join replayed r on r.notes = s.id::text`;
      if (rows.length === 0) fail('no sample to write again', {});
      const differing = rows.filter((r) => !r.same);
      if (differing.length > 0) fail('rows derived differently than the triggers derive them', differing.slice(0, 5));
      const sampled = [...new Set(rows.map((r) => r.org_id))];
      const [{ drift }] = await tx<{ drift: number }[]>`
        select count(*)::int as drift from unnest(${sampled}::uuid[]) o, private.monthly_totals_drift(o)`;
      if (drift > 0) fail('totals kept by the triggers on top of the loaded totals drift', { drift });
      replayed = rows.length;
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  passed.push(
    `${replayed} sampled transactions written again through every trigger (rolled back): same rate, base amount, account amounts, vendor and category, and the totals still exact`,
  );
  return passed;
}

/** Runs `work` for every item on `workers` connections of their own (each seeded for random()), the items taken in order. */
export async function inParallel<T>(
  url: string,
  workers: number,
  items: T[],
  work: (db: postgres.Sql, item: T) => Promise<unknown>,
  { triggersOff = false } = {},
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async (_, worker) => {
      // session_replication_role = replica: no trigger fires (the bulk load computes their work).
      const db = connect(url, {
        max: 1,
        ...(triggersOff ? { connection: { session_replication_role: 'replica' } } : {}),
      });
      try {
        await db`select setseed(${(worker + 1) / 10})`;
        while (next < items.length) await work(db, items[next++]);
      } finally {
        await db.end();
      }
    }),
  );
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
