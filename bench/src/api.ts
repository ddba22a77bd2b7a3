import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startStack } from '@westwallet/devstack';
import { connect } from '@westwallet/devstack/database';
import type { ApiClientInit, ApiClientMessage } from './api-client.ts';
import { organizationById, startFloor } from './api-floor.ts';
import { type PostgresCpu, postgresCpu } from './api-postgres-cpu.ts';
import { openBenchDatabase, openServer, recordDataset } from './database.ts';
import { loadDataset } from './load.ts';
import { type BenchOptions, datasetParams } from './options.ts';
import { type Measurement, measure, type Percentiles, percentiles, type Request, roleSettings } from './requests.ts';
import { type Context, loadContext, scenarios } from './scenarios.ts';

/** One scenario timed end to end through the stack beside the same request's database time. */
export interface ApiScenarioResult {
  key: string;
  title: string;
  concurrency: number;
  requests: number;
  rps: number;
  /** End to end, as supabase-js sees it, through the stack's HTTP address. */
  endToEnd: Percentiles;
  /** The same request run by the harness directly on Postgres, as PostgREST would run it. */
  database: Measurement;
  /** End-to-end p50 less database p50. */
  overheadP50: number;
  /** CPU of the process running the stack (gateway, lite, workers), per request, in ms. */
  stackCpuMs: number;
  /** CPU of the client process (supabase-js, Node's HTTP client), per request, in ms. */
  clientCpuMs: number;
  /** CPU of the Postgres server (every backend), per request, in ms; null where /proc is missing. */
  postgresCpuMs: number | null;
}

export interface ApiTarget {
  label: string;
  value: number;
  op: '<=' | '>=';
  limit: number;
  unit: 'ms' | 'requests/s';
  met: boolean;
}

export interface ApiReport {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: number[] };
  params: Record<string, number>;
  secondsPerScenario: number;
  scenarios: ApiScenarioResult[];
  targets: ApiTarget[];
  profile: ProfileSummary | null;
}

const SCENARIOS: { key: string; title: string; db: string; concurrency: 'latency' | 'throughput' }[] = [
  { key: 'list_newest', title: 'newest 50 with category and vendor names', db: 'list_newest', concurrency: 'latency' },
  {
    key: 'list_keyset_page_101',
    title: 'keyset page 101 (rpc search_transactions, with names)',
    db: 'list_keyset_page_101',
    concurrency: 'latency',
  },
  { key: 'expense_stats', title: 'rpc expense_stats (a year)', db: 'expense_stats', concurrency: 'latency' },
  { key: 'dashboard', title: 'rpc dashboard (12 months)', db: 'dashboard', concurrency: 'latency' },
  { key: 'search', title: 'text search (rpc search_transactions, with names)', db: 'search', concurrency: 'latency' },
  { key: 'insert', title: 'insert one transaction, returning it', db: 'insert_hot', concurrency: 'latency' },
  { key: 'simple_get', title: 'simple GET: one organization by id', db: 'simple_get', concurrency: 'latency' },
  {
    key: 'simple_get',
    title: 'simple GET: one organization by id, 8 clients',
    db: 'simple_get',
    concurrency: 'throughput',
  },
  // The same GET from a bare Node server (api-floor.ts): what any Data API on Node spends at least.
  {
    key: 'simple_get_floor',
    title: 'the floor: the same GET from a bare Node server',
    db: 'simple_get',
    concurrency: 'latency',
  },
  {
    key: 'simple_get_floor',
    title: 'the floor: the same GET from a bare Node server, 8 clients',
    db: 'simple_get',
    concurrency: 'throughput',
  },
];

const PASSWORD = 'bench-api-password';

/**
 * `npm run bench -- --api`: starts the whole local stack in this process on the benchmark's data
 * set, signs in with supabase-js in a child process and times each scenario end to end beside
 * its database time measured by the harness, with this process's CPU per request.
 */
export async function runApi(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const server = await openServer(options.databaseUrl);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-api-'));
  let child: ChildProcess | null = null;
  try {
    const params = datasetParams(options);
    const database = await openBenchDatabase(server.url, options.databaseName, params, options.fresh);
    if (database.reused) log(`reusing the data set in ${options.databaseName}`);
    else {
      log(`loading ${JSON.stringify(params)} into ${options.databaseName}`);
      const load = await loadDataset(database.url, options, log);
      await recordDataset(database, params, load);
    }
    const sql = connect(database.url, { max: 2 });
    let context: Context;
    let settings: Record<string, string>;
    let postgres: PostgresCpu | null;
    try {
      context = await loadContext(sql);
      settings = await roleSettings(sql);
      postgres = await postgresCpu(sql);
      await sql`select private.fold_all_pending_totals()`;
      await sql`checkpoint`;
    } finally {
      await sql.end();
    }

    // The stack, in this process, serving the benchmark's database (kind 'dev': as it is).
    const stack = await startStack({
      kind: 'dev',
      stateDir,
      apiPort: await freePort(),
      dbPort: 0,
      databaseUrl: database.url,
      // Free ports for the mail catcher too: other stacks may hold the dev ones.
      mailPorts: { http: 0, smtp: 0 },
      quiet: true,
    });
    const floor = await startFloor(database.url, settings);
    try {
      log(`stack on ${stack.apiUrl}`);
      // The loaded owners have no password; the company's gets one (bcrypt, as GoTrue stores it).
      const owner = connect(database.url, { max: 1 });
      try {
        await owner`update auth.users set encrypted_password = extensions.crypt(${PASSWORD}, extensions.gen_salt('bf'))
                    where id = ${context.company.claims.sub}`;
      } finally {
        await owner.end();
      }

      child = fork(path.join(import.meta.dirname, 'api-client.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const ask = clientOf(child);
      const { company } = context;
      const init: ApiClientInit = {
        apiUrl: stack.apiUrl,
        floorUrl: floor.url,
        publishableKey: stack.keys.publishableKey,
        email: 'company@bench.westwallet.test',
        password: PASSWORD,
        org: company.org,
        currency: company.currency,
        account: company.account,
        category: company.category,
        counterparties: company.counterparties,
        statsYear: context.statsYear,
        dashboardFrom: context.dashboardFrom,
        dashboardTo: context.dashboardTo,
        deepCursor: context.deepCursor,
        searchTerms: context.searchTerms,
      };
      await ask({ init });
      log('signed in; every request answers as it must');

      const dbRequests = new Map(scenarios(context).map((s) => [s.key, s.request]));
      dbRequests.set('simple_get', () => simpleGet(context));
      const ms = options.seconds * 1000;
      const results: ApiScenarioResult[] = [];
      let profile: ProfileSummary | null = null;
      for (const s of SCENARIOS) {
        const concurrency = s.concurrency === 'throughput' ? 8 : options.concurrency;
        const dbRequest = dbRequests.get(s.db);
        if (!dbRequest) throw new Error(`no database scenario ${s.db}`);
        const [db] = await measure(database.url, [dbRequest], { concurrency, seconds: options.seconds, settings });
        await ask({ run: { key: s.key, ms: ms / 5, concurrency, timed: false } });
        const cpu = process.cpuUsage();
        const postgresBefore = postgres?.usedMs() ?? 0;
        const started = performance.now();
        const { times, cpuMs: clientMs } = (await ask({ run: { key: s.key, ms, concurrency, timed: true } })) as {
          times: number[];
          cpuMs: number;
        };
        const seconds = (performance.now() - started) / 1000;
        const used = process.cpuUsage(cpu);
        const postgresMs = postgres ? postgres.usedMs() - postgresBefore : null;
        // Profiled in a run of its own, after the timed one: the profiler's cost is not timed.
        if (options.profile === s.key && s.concurrency === 'latency') {
          const profiling = await startProfile();
          const { times: profiled } = (await ask({ run: { key: s.key, ms, concurrency, timed: true } })) as {
            times: number[];
          };
          profile = await profiling.stop(options.outDir, profiled.length);
        }
        const endToEnd = percentiles(times);
        const result: ApiScenarioResult = {
          key: s.key,
          title: s.title,
          concurrency,
          requests: times.length,
          rps: Math.round(times.length / seconds),
          endToEnd,
          database: db,
          overheadP50: round(endToEnd.p50 - db.database.p50),
          stackCpuMs: round((used.user + used.system) / 1000 / Math.max(1, times.length)),
          clientCpuMs: round(clientMs / Math.max(1, times.length)),
          postgresCpuMs: postgresMs === null ? null : round(postgresMs / Math.max(1, times.length)),
        };
        results.push(result);
        log(
          `${s.key} at ${concurrency}: e2e p50 ${endToEnd.p50} ms p95 ${endToEnd.p95} ms, db p50 ${db.database.p50} ms, ` +
            `stack CPU ${result.stackCpuMs} ms/request (client ${result.clientCpuMs}, Postgres ${result.postgresCpuMs}), ` +
            `${result.rps} rps`,
        );
      }
      const report: ApiReport = {
        startedAt,
        quick: options.quick,
        machine: {
          cpus: os.availableParallelism(),
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          node: process.version,
          // The machine is shared: its load at the end tells how far the figures are its own.
          loadAverage: os.loadavg().map(round),
        },
        params,
        secondsPerScenario: options.seconds,
        scenarios: results,
        targets: apiTargets(results),
        profile,
      };
      const files = writeApiReport(report, options.outDir);
      console.log(`\n${apiMarkdown(report)}`);
      log(`report: ${files.md} and ${files.json}`);
      if (options.quick) log('--quick: a tiny data set and short runs check the harness; the figures mean nothing');
    } finally {
      child?.kill();
      await floor.close();
      await stack.stop();
    }
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
    await server.stop();
  }
}

/** The simple GET of the company's organization. */
function simpleGet(context: Context): Request {
  return {
    as: context.company.claims,
    method: 'GET',
    path: '/organizations',
    query: organizationById(context.company.org),
  };
}

function clientOf(child: ChildProcess) {
  return (message: ApiClientMessage) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the client process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply: { error?: string }) => {
        child.off('exit', onExit);
        if (reply.error) reject(new Error(`the client: ${reply.error}`));
        else resolve(reply);
      });
      child.send(message);
    });
}

/** The issue's targets (issue 30). */
export function apiTargets(results: ApiScenarioResult[]): ApiTarget[] {
  const targets: ApiTarget[] = [];
  const check = (label: string, value: number, op: ApiTarget['op'], limit: number, unit: ApiTarget['unit']) =>
    targets.push({
      label,
      value: round(value),
      op,
      limit: round(limit),
      unit,
      met: op === '<=' ? value <= limit : value >= limit,
    });
  const latency = results.filter((r) => r.concurrency !== 8 && !r.key.endsWith('_floor'));
  for (const r of latency) {
    check(`${r.key}: e2e p50 ≤ database p50 + 1.5 ms`, r.endToEnd.p50, '<=', r.database.database.p50 + 1.5, 'ms');
  }
  for (const r of latency) check(`${r.key}: stack CPU per request ≤ 1.5 ms`, r.stackCpuMs, '<=', 1.5, 'ms');
  const throughput = results.find((r) => r.key === 'simple_get' && r.concurrency === 8);
  if (throughput) check('simple authenticated GETs at 8 clients ≥ 1,000/s', throughput.rps, '>=', 1000, 'requests/s');
  const insert = results.find((r) => r.key === 'insert');
  if (insert) check('insert: e2e p50 ≤ 4 ms', insert.endToEnd.p50, '<=', 4, 'ms');
  return targets;
}

export function apiMarkdown(report: ApiReport): string {
  const table = (header: string[], rows: string[][]) =>
    [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const f = (n: number) => n.toFixed(2);
  const lines = [
    `# Data API end to end: ${report.startedAt}${report.quick ? ' (quick: the figures mean nothing)' : ''}`,
    '',
    `${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, load average ${report.machine.loadAverage?.join(' ') ?? '?'} at the end; data set ${JSON.stringify(report.params)}; ${report.secondsPerScenario} s per scenario and side.`,
    '',
    table(
      [
        'scenario',
        'clients',
        'e2e p50',
        'e2e p95',
        'db p50',
        'db p95',
        'e2e − db p50',
        'stack CPU / request',
        'client CPU',
        'Postgres CPU',
        'requests/s (db alone)',
      ],
      report.scenarios.map((s) => [
        s.title,
        String(s.concurrency),
        f(s.endToEnd.p50),
        f(s.endToEnd.p95),
        f(s.database.database.p50),
        f(s.database.database.p95),
        f(s.overheadP50),
        f(s.stackCpuMs),
        f(s.clientCpuMs),
        s.postgresCpuMs === null ? '–' : f(s.postgresCpuMs),
        `${s.rps} (${s.database.rps})`,
      ]),
    ),
    '',
    // What the machine allows at most: all its cores busy with this one kind of request.
    `At most ${report.machine.cpus} cores × 1,000 ms / (stack + client + Postgres CPU per request) requests/s on this machine: ` +
      report.scenarios
        .filter((s) => s.concurrency === 8 && s.postgresCpuMs !== null)
        .map(
          (s) =>
            `${s.key} at 8 clients ${f(s.stackCpuMs + s.clientCpuMs + (s.postgresCpuMs ?? 0))} ms → ` +
            `${Math.round((report.machine.cpus * 1000) / (s.stackCpuMs + s.clientCpuMs + (s.postgresCpuMs ?? 0)))}/s`,
        )
        .join('; ') +
      '.',
    '',
    '## Targets',
    '',
    table(
      ['target', 'value', 'limit', 'met'],
      report.targets.map((t) => [t.label, `${t.value} ${t.unit}`, `${t.op} ${t.limit}`, t.met ? 'yes' : 'no']),
    ),
  ];
  if (report.profile) lines.push('', profileMarkdown(report.profile));
  return `${lines.join('\n')}\n`;
}

function writeApiReport(report: ApiReport, outDir: string): { json: string; md: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(outDir, `${stamp}-api-${report.quick ? 'quick' : `${report.params.companyTransactions}`}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, apiMarkdown(report));
  return { json: `${base}.json`, md: `${base}.md` };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

// Profiling ----------------------------------------------------------------------------------

export interface ProfileSummary {
  file: string;
  requests: number;
  /** Sampled CPU of the stack's process per request, in ms (idle excluded). */
  msPerRequest: number;
  /** Self time by where the code lives, ms per request. */
  byPlace: { place: string; ms: number }[];
  /** The functions with the most self time, ms per request. */
  topFunctions: { fn: string; ms: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

async function startProfile() {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    stop: async (outDir: string, requests: number): Promise<ProfileSummary> => {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      session.disconnect();
      fs.mkdirSync(outDir, { recursive: true });
      const file = path.join(
        outDir,
        `${new Date()
          .toISOString()
          .replace(/[:]/g, '')
          .replace(/\.\d+Z$/, 'Z')}-api.cpuprofile`,
      );
      fs.writeFileSync(file, JSON.stringify(profile));
      return summarize(profile, file, requests);
    },
  };
}

/** Where code lives, from its script's URL. */
function placeOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : 'V8/Node builtins';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.includes('packages/devstack/src/')) return `devstack ${url.split('packages/devstack/src/')[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

/** The profiler's own calls (starting it samples itself), not a request's work. */
function profilerNodes(profile: CpuProfile, byId: Map<number, CpuProfile['nodes'][number]>): Set<number> {
  const found = new Set<number>();
  const mark = (id: number) => {
    found.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes) if (node.callFrame.functionName === startProfile.name) mark(node.id);
  return found;
}

function summarize(profile: CpuProfile, file: string, requests: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const profiler = profilerNodes(profile, byId);
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const places = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)' || profiler.has(id)) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${place}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const perRequest = (us: number) => round(us / 1000 / Math.max(1, requests));
  const sorted = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    file,
    requests,
    msPerRequest: perRequest(total),
    byPlace: sorted(places, 20).map(([place, us]) => ({ place, ms: perRequest(us) })),
    topFunctions: sorted(fns, 30).map(([fn, us]) => ({ fn, ms: perRequest(us) })),
  };
}

function profileMarkdown(p: ProfileSummary): string {
  return [
    `## Profile (${p.requests} requests, ${p.msPerRequest} ms of sampled CPU per request; ${path.basename(p.file)})`,
    '',
    '| self time by place | ms / request |',
    '| --- | --- |',
    ...p.byPlace.map((x) => `| ${x.place} | ${x.ms.toFixed(3)} |`),
    '',
    '| function | ms / request |',
    '| --- | --- |',
    ...p.topFunctions.map((x) => `| \`${x.fn.replace(/\|/g, '\\|')}\` | ${x.ms.toFixed(3)} |`),
  ].join('\n');
}
