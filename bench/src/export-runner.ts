/**
 * The export side of `npm run bench -- --exports`: a separate Node process that runs the export
 * job kinds (supabase/functions/_shared/exports) step by step, as the jobs worker would, against
 * the benchmark's database and the stack's real Storage, and measures each step's CPU time and
 * memory in this process only (the stack runs in the parent).
 *
 * Messages: `{ init }` -> `{ ready }`; `{ run: kind }` -> `{ result }`.
 */
import fs from 'node:fs';
import postgres from 'postgres';
import { backupExport } from '../../supabase/functions/_shared/exports/backup.ts';
import { csvExport } from '../../supabase/functions/_shared/exports/csv.ts';
import { xlsxExport } from '../../supabase/functions/_shared/exports/xlsx.ts';
import type { JobKind, StepContext } from '../../supabase/functions/_shared/jobs/kind.ts';
import { restStorage } from '../../supabase/functions/_shared/jobs/storage.ts';

export interface ExportRunnerInit {
  apiUrl: string;
  secretKey: string;
  dbUrl: string;
  orgId: string;
  ownerId: string;
  /** CPU milliseconds a step may use before it checkpoints (the hosted limit is 2,000). */
  stepCpuMs: number;
}

export interface StepFigures {
  cpuMs: number;
  wallMs: number;
  /** V8 heap at the step's end, garbage included (V8 collects lazily) ... */
  heapMb: number;
  /** ... and what is live after a full collection: flat across steps means no growth with the rows. */
  liveHeapMb: number;
  rssMb: number;
  /**
   * The step's own peak resident memory, as a fresh invocation's would be: Linux's resettable
   * high-water mark (VmHWM), reset as the step starts; elsewhere the process's peak so far.
   */
  maxRssMb: number;
}

export interface ExportRun {
  kind: string;
  seconds: number;
  steps: StepFigures[];
  result: unknown;
  /** Size of the file in Storage. */
  bytes: number;
  /** Why the export stopped, if it failed: its steps until then are still reported. */
  error?: string;
}

export type ExportRunnerMessage = { init: ExportRunnerInit } | { run: string };

const kinds: Record<string, JobKind<never, unknown, unknown>> = {
  'export.csv': csvExport as unknown as JobKind<never, unknown, unknown>,
  'export.xlsx': xlsxExport as unknown as JobKind<never, unknown, unknown>,
  'export.backup': backupExport as unknown as JobKind<never, unknown, unknown>,
};

/** Starts a new peak of resident memory (Linux: writing 5 to clear_refs resets VmHWM). */
function resetPeakRss(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: peakRssMb() reports the process's peak so far.
  }
}

/** The peak resident memory since resetPeakRss(), in MB. */
function peakRssMb(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (kb > 0) return Math.round(kb / 102.4) / 10;
  } catch {
    // Not Linux.
  }
  return Math.round(process.resourceUsage().maxRSS / 1e2) / 10;
}

/** Node's collector, there with --expose-gc (exports.ts forks the runner with it). */
const gc = (globalThis as { gc?: () => void }).gc;

let init: ExportRunnerInit;
let sql: postgres.Sql;

async function run(name: string): Promise<ExportRun> {
  const kind = kinds[name];
  const params = kind.params.parse({}) as never;
  let state = kind.initialState(params);
  const jobId = crypto.randomUUID();
  const storage = restStorage(init.apiUrl, init.secretKey);
  const steps: StepFigures[] = [];
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  for (;;) {
    // Each step starts from a collected heap, as a fresh invocation would.
    gc?.();
    resetPeakRss();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const ctx: StepContext = {
      jobId,
      orgId: init.orgId,
      requestedBy: init.ownerId,
      attempt: 1,
      sql,
      storage,
      deadline: {
        remainingMs: () => {
          const used = process.cpuUsage(cpu);
          return init.stepCpuMs - (used.user + used.system) / 1000;
        },
      },
    };
    let result: Awaited<ReturnType<typeof kind.step>>;
    try {
      result = await kind.step(ctx, params, state);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { kind: name, seconds: seconds(), steps, result: null, bytes: 0, error: message.slice(0, 300) };
    }
    const used = process.cpuUsage(cpu);
    const memory = process.memoryUsage();
    gc?.();
    const live = process.memoryUsage().heapUsed;
    steps.push({
      cpuMs: Math.round((used.user + used.system) / 1000),
      wallMs: Math.round(performance.now() - wall),
      heapMb: Math.round(memory.heapUsed / 1e5) / 10,
      liveHeapMb: Math.round(live / 1e5) / 10,
      rssMb: Math.round(memory.rss / 1e5) / 10,
      maxRssMb: peakRssMb(),
    });
    // The worker saves the checkpoint as JSON between invocations: so does this.
    state = JSON.parse(JSON.stringify(result.state));
    if (result.done) {
      const path = (result.done as { path: string }).path;
      const [object] = await sql`select (metadata ->> 'size')::bigint as size from storage.objects
                                 where bucket_id = 'exports' and name = ${path}`;
      return {
        kind: name,
        seconds: (performance.now() - started) / 1000,
        steps,
        result: result.done,
        bytes: Number(object?.size ?? 0),
      };
    }
  }
}

process.on('message', async (message: ExportRunnerMessage) => {
  try {
    if ('init' in message) {
      init = message.init;
      sql = postgres(init.dbUrl, { max: 2, prepare: false, onnotice: () => {} });
      // What the process holds before any export: Node, tsx, exceljs, pdf-lib, the Postgres client.
      process.send?.({ baselineRssMb: Math.round(process.memoryUsage().rss / 1e5) / 10 });
    } else {
      process.send?.({ result: await run(message.run) });
    }
  } catch (error) {
    process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
