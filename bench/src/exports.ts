import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startStack } from '@westwallet/devstack';
import { connect } from '@westwallet/devstack/database';
import { openBenchDatabase, openServer, recordDataset } from './database.ts';
import type { ExportRun, ExportRunnerInit, ExportRunnerMessage } from './export-runner.ts';
import { loadDataset } from './load.ts';
import { type BenchOptions, datasetParams } from './options.ts';
import { loadContext } from './scenarios.ts';

/**
 * `npm run bench -- --exports`: the CSV, Excel and backup exports of the company, end to end: the
 * job kinds run step by step in a child process (export-runner.ts) against the benchmark's
 * database and the stack's Storage, each step within a CPU budget; per step its CPU time, wall
 * time and memory. Targets (issue 26) on the million-row company: CSV <= 60 s, Excel <= 3 min,
 * every step <= 2 s CPU and <= 150 MB, memory not growing with the rows.
 */
const KINDS = ['export.csv', 'export.xlsx', 'export.backup'];
const STEP_CPU_MS = 1500;
const TARGET_SECONDS: Record<string, number> = { 'export.csv': 60, 'export.xlsx': 180 };

interface ExportTarget {
  label: string;
  value: number;
  limit: number;
  unit: string;
  met: boolean;
}

export async function runExports(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const server = await openServer(options.databaseUrl);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-exports-'));
  let child: ChildProcess | null = null;
  try {
    const params = datasetParams(options);
    const database = await openBenchDatabase(server.url, options.databaseName, params, options.fresh);
    if (database.reused) log(`reusing the data set in ${options.databaseName}`);
    else {
      log(`loading ${JSON.stringify(params)} into ${options.databaseName}`);
      await recordDataset(database, params, await loadDataset(database.url, options, log));
    }
    const sql = connect(database.url, { max: 1 });
    let init: Omit<ExportRunnerInit, 'apiUrl' | 'secretKey'>;
    let rows: number;
    try {
      const context = await loadContext(sql);
      await sql`select private.fold_all_pending_totals()`;
      const [company] = await sql`select owner_id from bench.orgs where org_id = ${context.company.org}`;
      const [count] = await sql`select count(*)::int as n from public.transactions
                                where org_id = ${context.company.org} and deleted_at is null`;
      rows = count.n;
      init = { dbUrl: database.url, orgId: context.company.org, ownerId: company.owner_id, stepCpuMs: STEP_CPU_MS };
    } finally {
      await sql.end();
    }

    const stack = await startStack({
      kind: 'dev',
      stateDir,
      apiPort: await freePort(),
      dbPort: 0,
      databaseUrl: database.url,
      quiet: true,
      // A company with a million transactions pays for a plan whose files may exceed 50 MiB.
      fileSizeLimit: '2GiB',
    });
    try {
      log(`stack on ${stack.apiUrl}; exporting the company's ${rows} transactions`);
      child = fork(path.join(import.meta.dirname, 'export-runner.ts'), [], {
        execArgv: ['--import', 'tsx', '--expose-gc'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const ask = runnerOf(child);
      const { baselineRssMb } = (await ask({
        init: { ...init, apiUrl: stack.apiUrl, secretKey: stack.keys.secretKey },
      })) as {
        baselineRssMb: number;
      };
      log(`runner's memory before any export: ${baselineRssMb} MB RSS`);
      const runs: ExportRun[] = [];
      for (const kind of KINDS) {
        const { result } = (await ask({ run: kind })) as { result: ExportRun };
        runs.push(result);
        const worst = (key: 'cpuMs' | 'maxRssMb') => Math.max(...result.steps.map((s) => s[key]));
        if (result.error) log(`${kind} FAILED at step ${result.steps.length + 1}: ${result.error}`);
        log(
          `${kind}: ${result.seconds.toFixed(1)} s, ${result.steps.length} steps, ${(result.bytes / 1e6).toFixed(1)} MB; ` +
            `step CPU max ${worst('cpuMs')} ms, peak RSS ${worst('maxRssMb')} MB`,
        );
      }
      const report = {
        startedAt,
        params,
        rows,
        stepCpuMs: STEP_CPU_MS,
        cpus: os.cpus().length,
        baselineRssMb,
        runs,
        targets: targets(runs, baselineRssMb),
      };
      const files = write(report, options.outDir, options.quick);
      log(`report: ${files.md}`);
    } finally {
      await stack.stop();
    }
  } finally {
    child?.kill();
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function targets(runs: ExportRun[], baselineRssMb: number): ExportTarget[] {
  const out: ExportTarget[] = [];
  for (const run of runs) {
    const limit = TARGET_SECONDS[run.kind];
    if (limit)
      out.push({
        label: `${run.kind} end to end`,
        value: round(run.seconds),
        limit,
        unit: 's',
        met: run.seconds <= limit,
      });
    const cpu = Math.max(...run.steps.map((s) => s.cpuMs));
    out.push({ label: `${run.kind} step CPU, max`, value: cpu, limit: 2000, unit: 'ms', met: cpu <= 2000 });
    // The runner's RSS before any export (Node, tsx, every module loaded) is not the step's: a
    // step's peak is its own peak RSS (reset as it starts) over that baseline.
    const peak = round(Math.max(...run.steps.map((s) => s.maxRssMb)) - baselineRssMb);
    out.push({
      label: `${run.kind} peak RSS over the baseline`,
      value: peak,
      limit: 150,
      unit: 'MB',
      met: peak <= 150,
    });
    const half = run.steps.slice(0, Math.max(1, Math.floor(run.steps.length / 2)));
    const heapFirst = Math.max(...half.map((s) => s.liveHeapMb));
    const heapAll = Math.max(...run.steps.map((s) => s.liveHeapMb));
    out.push({
      label: `${run.kind} live heap after a step: max over all steps vs first half (flat)`,
      value: round(heapAll - heapFirst),
      limit: 20,
      unit: 'MB',
      met: heapAll - heapFirst <= 20,
    });
  }
  return out;
}

const round = (n: number) => Math.round(n * 10) / 10;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function write(
  report: {
    startedAt: string;
    rows: number;
    runs: ExportRun[];
    targets: ExportTarget[];
    stepCpuMs: number;
    cpus: number;
    baselineRssMb: number;
  },
  outDir: string,
  quick: boolean,
) {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(outDir, `${stamp}-exports-${quick ? 'quick' : report.rows}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const lines = [
    `# Exports benchmark, ${report.startedAt}`,
    '',
    `The company's ${report.rows} transactions; each step stops at ${report.stepCpuMs} ms of CPU; ${report.cpus} cores, shared.`,
    "CPU and memory are the runner process's (the kinds' code, the Postgres client, fetch to Storage); Postgres and the",
    `stack run in other processes. The runner held ${report.baselineRssMb} MB RSS before any export.`,
    '',
    '| export | seconds | steps | MB | step CPU p50 / p95 / max (ms) | step wall p50 / max (ms) | heap at step end, max (MB) | live heap after GC, first / max (MB) | peak RSS (MB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.runs.map((r) => {
      const cpu = r.steps.map((s) => s.cpuMs);
      const wall = r.steps.map((s) => s.wallMs);
      return `| ${r.kind}${r.error ? ' (failed)' : ''} | ${r.seconds.toFixed(1)} | ${r.steps.length} | ${(r.bytes / 1e6).toFixed(1)} | ${percentile(cpu, 50)} / ${percentile(cpu, 95)} / ${Math.max(...cpu)} | ${percentile(wall, 50)} / ${Math.max(...wall)} | ${Math.max(...r.steps.map((s) => s.heapMb))} | ${r.steps[0]?.liveHeapMb} / ${Math.max(...r.steps.map((s) => s.liveHeapMb))} | ${Math.max(...r.steps.map((s) => s.maxRssMb))} |`;
    }),
    '',
    ...report.runs.filter((r) => r.error).map((r) => `${r.kind} failed after ${r.steps.length} steps: ${r.error}\n`),
    '## Targets',
    '',
    '| target | value | limit | met |',
    '| --- | --- | --- | --- |',
    ...report.targets.map(
      (t) => `| ${t.label} | ${t.value} ${t.unit} | <= ${t.limit} ${t.unit} | ${t.met ? 'yes' : 'no'} |`,
    ),
  ];
  fs.writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
  return { json: `${base}.json`, md: `${base}.md` };
}

function runnerOf(child: ChildProcess) {
  return (message: ExportRunnerMessage) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the export runner exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply: { error?: string }) => {
        child.off('exit', onExit);
        if (reply.error) reject(new Error(`the export runner: ${reply.error}`));
        else resolve(reply);
      });
      child.send(message);
    });
}
