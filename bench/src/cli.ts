import os from 'node:os';
import { connect } from '@westwallet/devstack/database';
import type postgres from 'postgres';
import { runApi } from './api.ts';
import { runCategorize } from './categorize.ts';
import { openBenchDatabase, openServer, recordDataset } from './database.ts';
import { runExports } from './exports.ts';
import { runImports } from './imports.ts';
import { runInsights } from './insights.ts';
import { type LoadReport, loadDataset } from './load.ts';
import { type BenchOptions, datasetParams, parseOptions } from './options.ts';
import { runRealtime } from './realtime.ts';
import {
  evaluateTargets,
  type Report,
  type ScenarioResult,
  scenarioTable,
  targetTable,
  writeReport,
} from './report.ts';
import { type Measurement, measure, roleSettings, send } from './requests.ts';
import { type Context, loadContext, prepareSync, scenarios } from './scenarios.ts';
import { runWebhooks } from './webhooks.ts';

const log = (line: string) => console.log(`[bench] ${line}`);

async function main(options: BenchOptions): Promise<void> {
  if (options.api) return runApi(options, log);
  if (options.exports) return runExports(options, log);
  if (options.realtime) return runRealtime(options, log);
  if (options.imports) return runImports(options, log);
  if (options.insights) return runInsights(options, log);
  if (options.webhooks) return runWebhooks(options, log);
  if (options.categorize) return runCategorize(options, log);
  const startedAt = new Date().toISOString();
  const server = await openServer(options.databaseUrl);
  try {
    log(`Postgres: ${server.source}`);
    const params = datasetParams(options);
    const database = await openBenchDatabase(server.url, options.databaseName, params, options.fresh);
    let load: LoadReport | null = null;
    if (database.reused) {
      log(`reusing the data set in ${options.databaseName} (same sizes and schema; --fresh loads anew)`);
    } else {
      log(`loading ${JSON.stringify(params)} into ${options.databaseName}`);
      load = await loadDataset(database.url, options, log);
      for (const check of load.checks) log(`checked: ${check}`);
      await recordDataset(database, params, load);
    }

    const sql = connect(database.url, { max: 2 });
    try {
      let foldedPending = 0;
      if (database.reused) {
        foldedPending = await foldPending(sql);
        log(`folded the pending lines of ${foldedPending} writes an earlier run left`);
      }
      const context = await loadContext(sql);
      await prepareSync(sql, context);
      // Read once: what every request applies is what the report lists.
      const settings = await roleSettings(sql);
      const answers = await checkAnswers(sql, context, settings);
      for (const answer of answers) log(`answer checked: ${answer}`);
      // A load (or the fold) leaves gigabytes of dirty pages, which the checkpointer would write
      // out behind the first scenarios, timing its I/O with them; they are written out first.
      await sql`checkpoint`;

      // A scenario and those compared with it are timed in turns, five slices each.
      const all = scenarios(context);
      const measuredByKey = new Map<string, Measurement>();
      for (const scenario of all.filter((s) => !s.timedWith)) {
        const group = [scenario, ...all.filter((s) => s.timedWith === scenario.key)];
        const measured = await measure(
          database.url,
          group.map((s) => s.request),
          { ...options, settings, slices: group.length > 1 ? 5 : 1 },
        );
        group.forEach((s, i) => {
          measuredByKey.set(s.key, measured[i]);
          log(
            `${s.key}: p50 ${measured[i].p50} ms, p95 ${measured[i].p95} ms, p99 ${measured[i].p99} ms, ${measured[i].rps} rps`,
          );
        });
      }
      const results: ScenarioResult[] = all.map((s) => {
        const measured = measuredByKey.get(s.key);
        if (!measured) throw new Error(`${s.key} is timed with ${s.timedWith}, which is no scenario`);
        return { key: s.key, title: s.title, ...measured };
      });
      const inserted = results.filter((r) => r.key === 'insert_spread' || r.key === 'insert_hot');
      const afterWrites = await checkAfterWrites(
        sql,
        context,
        inserted.reduce((n, r) => n + r.requests, 0),
      );
      const report: Report = {
        startedAt,
        quick: options.quick,
        machine: { ...(await machine(sql)), roleSettings: settings },
        database: { server: server.source, name: options.databaseName, reused: database.reused, foldedPending },
        params,
        concurrency: options.concurrency,
        secondsPerScenario: options.seconds,
        load,
        answers,
        scenarios: results,
        targets: evaluateTargets(results),
        afterWrites,
      };
      const files = writeReport(report, options.outDir);
      console.log(`\n${scenarioTable(report)}\n\n${targetTable(report.targets)}\n`);
      for (const line of afterWrites) log(line);
      log(`report: ${files.md} and ${files.json}`);
      if (options.quick) log('--quick: a tiny data set and short runs check the harness; the figures mean nothing');
    } finally {
      await sql.end();
    }
  } finally {
    await server.stop();
  }
}

/** One request of each kind, checked against what it must answer, so the timings time real work. */
async function checkAnswers(sql: postgres.Sql, context: Context, settings: Record<string, string>): Promise<string[]> {
  const byKey = new Map(scenarios(context).map((s) => [s.key, s]));
  const requestOf = (key: string) => {
    const scenario = byKey.get(key);
    if (!scenario) throw new Error(`no scenario ${key}`);
    return scenario.request(0);
  };
  const body = async (key: string) => JSON.parse((await send(sql, requestOf(key), settings)).rows[0].body);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`The benchmark's requests do not answer as they must: ${what}`);
    return what;
  };
  const answers: string[] = [];
  // Hosted, PostgREST applies the role's settings to each request; the benchmark must too.
  const [applied] = (
    await send(
      sql,
      {
        ...requestOf('list_small_household'),
        query: (tx) => tx`
          select current_user as role, coalesce(jsonb_object_agg(s.key, current_setting(s.key)), '{}') as settings
          from jsonb_each_text(${tx.json(settings)}) s`,
      },
      settings,
    )
  ).rows;
  const listed = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  answers.push(
    expect(
      applied.role === 'authenticated' &&
        listed.length > 0 &&
        Object.entries(settings).every(([k, v]) => applied.settings[k] === v),
      `a signed-in request runs as authenticated with the role's settings, as PostgREST runs it (${listed.join(', ')})`,
    ),
  );
  const list = await body('list_newest');
  answers.push(
    expect(list.length === 50 && 'vendor' in list[0], 'the list has 50 rows with category and vendor names'),
  );
  const page = await body('list_keyset_page_101');
  answers.push(
    expect(
      page.length === 50 &&
        `${page[0].booked_on}${page[0].reference}` <= `${context.deepCursor.booked_on}${context.deepCursor.reference}`,
      'the keyset page has 50 rows, all after the cursor of page 100',
    ),
  );
  const stats = await body('expense_stats');
  const raw = await body('expense_stats_raw');
  answers.push(
    expect(
      JSON.stringify(stats.months) === JSON.stringify(raw.months) && stats.categories.length > 0,
      `expense_stats(${context.statsYear}) gives the same months as the raw rows`,
    ),
  );
  const dashboard = await body('dashboard');
  const rawDashboard = await body('dashboard_raw');
  answers.push(
    expect(
      Number(dashboard.expense_minor) === Number(rawDashboard.expense_minor) &&
        Number(dashboard.income_minor) === Number(rawDashboard.income_minor),
      'dashboard gives the same income and expenses as the raw rows',
    ),
  );
  // The vendors come from the yearly and monthly vendor totals: the top ten must be the raw rows'.
  const topOf = (vendors: { vendor_id: string | null; expense_minor: number | string }[]) =>
    JSON.stringify(
      vendors
        .filter((v) => v.vendor_id !== null)
        .slice(0, 10)
        .map((v) => [v.vendor_id, Number(v.expense_minor)]),
    );
  answers.push(
    expect(
      dashboard.top_vendors.length === 10 && topOf(dashboard.top_vendors) === topOf(rawDashboard.by_vendor),
      'dashboard names the same ten top vendors, with the same expenses, as the raw rows',
    ),
  );
  for (const key of ['sync_company', 'sync_household']) {
    const sync = await body(key);
    answers.push(expect(sync.changes.length === 100, `${key}: sync_changes returns the 100 changes after the cursor`));
  }
  const found = await body('search');
  answers.push(expect(found.length > 0, `searching for "${context.searchTerms[0]}" finds it`));
  return answers;
}

/**
 * The inserts went through every trigger on top of the bulk-loaded totals: those must still be
 * exact, both read as the statistics read them (folded totals and pending lines) and once the
 * pending lines are folded. The fold is timed: it is the statistics' share of the inserts, which
 * the one-second job pays off the requests' path.
 */
async function checkAfterWrites(sql: postgres.Sql, context: Context, inserted: number): Promise<string[]> {
  const orgs = [context.company.org, ...context.households.map((h) => h.org)];
  const drift = async () =>
    (
      await sql<{ drift: number }[]>`
        select count(*)::int as drift from unnest(${orgs}::uuid[]) o, private.monthly_totals_drift(o)`
    )[0].drift;
  const before = await drift();
  if (before > 0) throw new Error(`After the inserts, ${before} monthly totals differ from the raw rows`);
  const [{ pending }] = await sql<{ pending: number }[]>`select count(*)::int as pending from private.pending_totals`;
  const started = performance.now();
  await sql`select private.fold_all_pending_totals()`;
  const foldMs = performance.now() - started;
  const after = await drift();
  if (after > 0) throw new Error(`After folding the pending lines, ${after} monthly totals differ from the raw rows`);
  return [
    `after ${inserted} timed inserts through the triggers (and their warm-ups), monthly totals still equal a fresh aggregate in all ${orgs.length} organizations`,
    `the job folded the ${pending} writes' pending lines into the totals in ${foldMs.toFixed(0)} ms (${(foldMs / Math.max(pending, 1)).toFixed(3)} ms per write, off the requests' path), and they still equal a fresh aggregate`,
  ];
}

/**
 * Each run folds its own writes' lines at its end (checkAfterWrites); one stopped before that left
 * them pending, which the one-second job would have folded since, so a reused data set gets the
 * same before it is timed. Returns how many writes' lines it folded.
 */
async function foldPending(sql: postgres.Sql): Promise<number> {
  const [{ pending }] = await sql<{ pending: number }[]>`select count(*)::int as pending from private.pending_totals`;
  await sql`select private.fold_all_pending_totals()`;
  await sql`vacuum (analyze) private.monthly_totals, private.pending_totals`;
  return pending;
}

async function machine(sql: postgres.Sql): Promise<Omit<Report['machine'], 'roleSettings'>> {
  const [{ version }] = await sql<{ version: string }[]>`select version()`;
  const settings = await sql<{ name: string; setting: string }[]>`
    select name, current_setting(name) as setting from pg_settings
    where name in ('shared_buffers', 'work_mem', 'synchronous_commit', 'fsync', 'max_connections', 'jit')`;
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: version.split(' on ')[0],
    settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
  };
}

try {
  await main(parseOptions(process.argv.slice(2)));
  process.exit(0);
} catch (error) {
  console.error(`\n[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
