import fs from 'node:fs';
import path from 'node:path';
import type { LoadReport } from './load.ts';
import type { Measurement } from './requests.ts';

export interface ScenarioResult extends Measurement {
  key: string;
  title: string;
}

export interface Target {
  label: string;
  /** What is compared: a latency in ms, or a ratio of two scenarios. */
  value: number;
  op: '<=' | '>=';
  limit: number;
  unit: 'ms' | '×';
  met: boolean;
  /** Latency targets: the same quantile of database time less the wait for a CPU (see Measurement.running). */
  running?: number;
}

export interface Report {
  startedAt: string;
  quick: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    postgres: string;
    settings: Record<string, string>;
    /** What PostgREST sets for each request of a signed-in user (`alter role authenticated set`). */
    roleSettings: Record<string, string>;
  };
  /** foldedPending: writes whose totals' lines an earlier run left pending, folded before timing. */
  database: { server: string; name: string; reused: boolean; foldedPending: number };
  params: Record<string, number>;
  concurrency: number;
  secondsPerScenario: number;
  load: LoadReport | null;
  answers: string[];
  scenarios: ScenarioResult[];
  targets: Target[];
  afterWrites: string[];
}

/**
 * The issue's targets, from this run's figures, in database time (the targets are database
 * time; the client's times are reported beside them). Ratios compare medians (p50) for latency
 * and requests per second for throughput, both measured in the same run.
 */
export function evaluateTargets(results: ScenarioResult[]): Target[] {
  const by = (key: string) => results.find((r) => r.key === key);
  const targets: Target[] = [];
  const latency = (key: string, quantile: 'p95', limit: number, label: string) => {
    const r = by(key);
    if (r) targets.push({ ...check(label, r.database[quantile], '<=', limit, 'ms'), running: r.running?.[quantile] });
  };
  const ratio = (label: string, a: number | undefined, b: number | undefined, op: Target['op'], limit: number) => {
    if (a !== undefined && b !== undefined && b > 0) targets.push(check(label, a / b, op, limit, '×'));
  };
  latency('list_newest', 'p95', 2, 'list newest 50, big company: p95');
  ratio(
    'list newest 50: RLS ÷ superuser without RLS (p50)',
    by('list_newest')?.database.p50,
    by('list_newest_superuser')?.database.p50,
    '<=',
    1.25,
  );
  latency('list_keyset_page_101', 'p95', 2, 'keyset page 100 deep: p95');
  latency('expense_stats', 'p95', 5, 'expense_stats(year), big company: p95');
  ratio(
    'expense_stats: raw rows ÷ totals (p50)',
    by('expense_stats_raw')?.database.p50,
    by('expense_stats')?.database.p50,
    '>=',
    100,
  );
  latency('dashboard', 'p95', 10, 'dashboard(12 months), big company: p95');
  ratio(
    'sync_changes (100 changes): big company ÷ small household (p50)',
    by('sync_company')?.database.p50,
    by('sync_household')?.database.p50,
    '<=',
    2,
  );
  latency('search', 'p95', 20, 'text search, big company: p95');
  ratio(
    'insert through all triggers ÷ without our triggers (rps)',
    by('insert_spread')?.rps,
    by('insert_without_triggers')?.rps,
    '>=',
    0.5,
  );
  ratio('insert: one hot organization ÷ spread (rps)', by('insert_hot')?.rps, by('insert_spread')?.rps, '>=', 0.5);
  latency('list_small_household', 'p95', 1, 'small household list beside the big company: p95');
  return targets;
}

function check(label: string, value: number, op: Target['op'], limit: number, unit: Target['unit']): Target {
  const rounded = Math.round(value * 1000) / 1000;
  return { label, value: rounded, op, limit, unit, met: op === '<=' ? value <= limit : value >= limit };
}

const BASELINE_OF: Record<string, string> = {
  list_newest_superuser: 'list_newest',
  list_small_household_superuser: 'list_small_household',
  expense_stats_raw: 'expense_stats',
  dashboard_raw: 'dashboard',
  insert_without_triggers: 'insert_spread',
};

export function scenarioTable(report: Report): string {
  const rows = report.scenarios.map((r) => {
    const measured = BASELINE_OF[r.key] && report.scenarios.find((s) => s.key === BASELINE_OF[r.key]);
    const versus = !measured
      ? ''
      : r.key.startsWith('insert')
        ? `${fmt(measured.rps / r.rps, 2)}× its rps`
        : `${fmt(measured.database.p50 / r.database.p50, 2)}× its p50`;
    const d = r.database;
    return [
      r.title,
      String(r.requests),
      String(r.rps),
      fmt(d.p50, 2),
      fmt(d.p95, 2),
      fmt(d.p99, 2),
      r.running ? `${fmt(r.running.p50, 2)} / ${fmt(r.running.p95, 2)}` : '–',
      `${fmt(r.p50, 2)} / ${fmt(r.p95, 2)}`,
      r.storageReadKiB === null ? '–' : fmt(r.storageReadKiB, 1),
      versus,
    ];
  });
  return markdownTable(
    [
      'scenario',
      'requests',
      'rps',
      'db p50 ms',
      'db p95 ms',
      'db p99 ms',
      'running p50 / p95 ms',
      'client p50 / p95 ms',
      'read from storage, KiB per request',
      'scenario ÷ this baseline',
    ],
    rows,
  );
}

export function targetTable(targets: Target[]): string {
  return markdownTable(
    ['target', 'measured', 'limit', '', 'running (less the wait for a CPU)'],
    targets.map((t) => [
      t.label,
      `${fmt(t.value, t.unit === 'ms' ? 3 : 2)} ${t.unit}`,
      `${t.op} ${t.limit} ${t.unit}`,
      t.met ? 'met' : 'MISSED',
      t.running === undefined ? '' : `${fmt(t.running, 3)} ms`,
    ]),
  );
}

export function markdown(report: Report): string {
  const m = report.machine;
  const load = report.load;
  return [
    `# WestWallet benchmark, ${report.startedAt}${report.quick ? ' (--quick: checks the harness, not the speed)' : ''}`,
    '',
    `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.postgres}.`,
    `Postgres settings: ${Object.entries(m.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    `Set for every request, as PostgREST sets the role \`authenticated\`'s settings: ${
      Object.entries(m.roleSettings)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'nothing'
    }.`,
    `Database \`${report.database.name}\` on ${report.database.server}${
      report.database.reused
        ? ` (data set reused from an earlier run; the pending lines of ${report.database.foldedPending} writes it left were folded first, as the one-second job folds them)`
        : ''
    }.`,
    `${report.concurrency} concurrent clients, ${report.secondsPerScenario} s per scenario after a warm-up.`,
    '',
    '## Data set',
    '',
    markdownTable(
      ['size', 'value'],
      Object.entries(report.params).map(([k, v]) => [k, String(v)]),
    ),
    '',
    ...(load
      ? [
          markdownTable(
            ['loaded', 'count'],
            Object.entries(load.counts).map(([k, v]) => [k, String(v)]),
          ),
          '',
          markdownTable(
            ['load step', 'seconds'],
            Object.entries(load.seconds).map(([k, v]) => [k, String(v)]),
          ),
          '',
          'Checks passed:',
          '',
          ...load.checks.map((c) => `- ${c}`),
          '',
        ]
      : []),
    '## Answers checked before timing',
    '',
    ...report.answers.map((a) => `- ${a}`),
    '',
    '## Scenarios',
    '',
    scenarioTable(report),
    '',
    '## Targets',
    '',
    targetTable(report.targets),
    '',
    '## After the writes',
    '',
    ...report.afterWrites.map((a) => `- ${a}`),
    '',
  ].join('\n');
}

export function writeReport(report: Report, outDir: string): { json: string; md: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(outDir, `${stamp}-${report.quick ? 'quick' : `${report.params.companyTransactions}`}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown(report));
  return { json: `${base}.json`, md: `${base}.md` };
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
