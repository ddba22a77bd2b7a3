import { parseArgs } from 'node:util';

/** What one benchmark run loads and how hard it asks. */
export interface BenchOptions {
  households: number;
  householdTransactions: number;
  companyTransactions: number;
  years: number;
  /** Clients sending requests at once. */
  concurrency: number;
  /** Seconds each scenario runs (after a warm-up of a fifth of that). */
  seconds: number;
  /** A Postgres server (superuser URL) instead of the local stack's. */
  databaseUrl?: string;
  /** The benchmark's own database on that server. */
  databaseName: string;
  /** Load anew even when the database holds a data set of the same sizes and schema. */
  fresh: boolean;
  /** Where the JSON and Markdown reports go. */
  outDir: string;
  quick: boolean;
  /** Time requests end to end through the local stack (bench/src/api.ts) instead of in the database. */
  api: boolean;
  /** With --api: profile the stack's process during this scenario (its key). */
  profile?: string;
  /** Run the CSV, Excel and backup exports of the company step by step (bench/src/exports.ts). */
  exports: boolean;
  /** Time database broadcasts through the local Realtime server (bench/src/realtime.ts). */
  realtime: boolean;
  /** Preview and commit a large statement into the company's account (bench/src/imports.ts). */
  imports: boolean;
  /** With --imports: lines of the statement. */
  importLines: number;
  /** Time the company's insight inputs and calculations (bench/src/insights.ts). */
  insights: boolean;
  /** Time outbound webhooks through webhooks-send to a local receiver (bench/src/webhooks.ts). */
  webhooks: boolean;
  /** Measure the categorizer's coverage and precision on realistic households (bench/src/categorize.ts). */
  categorize: boolean;
}

const FULL = { households: 1000, householdTransactions: 1000, companyTransactions: 1_000_000, years: 3, seconds: 5 };
// --api: a data set of 10,000 transactions, loaded in well under a minute; latency at 1 client.
const API = { households: 10, householdTransactions: 200, companyTransactions: 10_000, years: 2, seconds: 3 };
const QUICK = { households: 6, householdTransactions: 500, companyTransactions: 6000, years: 2, seconds: 0.3 };

export const USAGE = `npm run bench [-- options]

  --quick                     a tiny data set and short runs: checks the harness, not the speed
  --api                       time the app's requests end to end through the local stack with
                              supabase-js, beside their database time (${API.companyTransactions} transactions)
  --profile KEY               with --api: profile the stack's process during scenario KEY
  --exports                   the CSV, Excel and backup exports of the company, step by step, through
                              the local stack's Storage (CPU and memory per step)
  --realtime                  database broadcasts through the local Realtime server: latency at
                              100 subscribers, throughput with 1,000 connections on 20 topics
  --imports                   a statement of --import-lines lines previewed and committed into the
                              company's account, and the duplicate check against the company
  --import-lines N            lines of that statement (100000)
  --insights                  the company's insight inputs (database) and each calculation: forecast,
                              anomalies, score, what-if (target <= 50 ms each)
  --webhooks                  outbound webhooks through webhooks-send to a local receiver:
                              deliveries per second and commit-to-first-attempt latency
  --categorize                the categorizer's coverage and precision on realistic households with
                              0, 1 and 3 months of history (no LLM)
  --households N              households to load (${FULL.households})
  --household-transactions N  transactions per household (${FULL.householdTransactions})
  --company-transactions N    transactions of the one company (${FULL.companyTransactions})
  --years N                   years of history, ending today (${FULL.years})
  --concurrency N             clients sending requests at once (8)
  --seconds S                 how long each scenario runs (${FULL.seconds})
  --fresh                     load anew even if the same data set is already loaded
  --database-url URL          a Postgres server's superuser URL (default: the local stack's)
  --database-name NAME        the benchmark's database on it (westwallet_bench)
  --out DIR                   where reports are written (bench/results)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      api: { type: 'boolean', default: false },
      exports: { type: 'boolean', default: false },
      realtime: { type: 'boolean', default: false },
      imports: { type: 'boolean', default: false },
      'import-lines': { type: 'string' },
      insights: { type: 'boolean', default: false },
      webhooks: { type: 'boolean', default: false },
      categorize: { type: 'boolean', default: false },
      profile: { type: 'string' },
      households: { type: 'string' },
      'household-transactions': { type: 'string' },
      'company-transactions': { type: 'string' },
      years: { type: 'string' },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      'database-name': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizes = values.quick ? QUICK : values.api ? API : FULL;
  const number = (name: string, value: string | undefined, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: a number of at least ${min}, not ${value}`);
    return n;
  };
  return {
    quick: values.quick,
    households: Math.floor(number('households', values.households, sizes.households, 1)),
    householdTransactions: Math.floor(
      number('household-transactions', values['household-transactions'], sizes.householdTransactions, 1),
    ),
    companyTransactions: Math.floor(
      number('company-transactions', values['company-transactions'], sizes.companyTransactions, 1),
    ),
    years: Math.floor(number('years', values.years, sizes.years, 1)),
    concurrency: Math.floor(number('concurrency', values.concurrency, values.api ? 1 : 8, 1)),
    seconds: number('seconds', values.seconds, sizes.seconds, 0.05),
    fresh: values.fresh,
    databaseUrl: values['database-url'],
    databaseName:
      values['database-name'] ??
      (values.quick ? 'westwallet_bench_quick' : values.api ? 'westwallet_bench_api' : 'westwallet_bench'),
    outDir: values.out ?? 'bench/results',
    api: values.api,
    exports: values.exports,
    profile: values.profile,
    realtime: values.realtime,
    imports: values.imports,
    importLines: Math.floor(number('import-lines', values['import-lines'], 100_000, 1)),
    insights: values.insights,
    webhooks: values.webhooks,
    categorize: values.categorize,
  };
}

/** The sizes a data set is known by: the same sizes and schema give the same data set. */
export function datasetParams(options: BenchOptions) {
  return {
    households: options.households,
    householdTransactions: options.householdTransactions,
    companyTransactions: options.companyTransactions,
    years: options.years,
  };
}
