// The local stand-in for pg_cron's background worker: runs the active jobs of cron.job that
// belong to this database when they are due, and records every run in cron.job_run_details,
// as pg_cron does (packages/devstack/sql/platform/cron.sql holds the SQL side).
//
// Run one worker per database: two workers on the same database would both run every job.

import { Cron } from 'croner';
import postgres from 'postgres';

export interface CronWorkerOptions {
  sql: postgres.Sql;
  log: (line: string) => void;
  tickMs?: number;
}

interface JobRow {
  jobid: string;
  schedule: string;
  command: string;
  username: string;
}

type Timing = { kind: 'interval'; ms: number } | { kind: 'cron'; cron: Cron } | { kind: 'reboot' };

interface JobState {
  job: JobRow;
  timing: Timing | null;
  nextAt: number;
  pending: boolean;
  running: boolean;
}

interface RunOutcome {
  status: 'succeeded' | 'failed';
  message: string;
}

// The part of a postgres.js result that describes one statement.
interface StatementResult {
  command: string | null;
  count: number | null;
  columns?: unknown[] | null;
  length: number;
}

// pg_cron expands these like Vixie cron; @reboot and @restart run once at start.
const SHORTCUTS: Record<string, string> = {
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  monthly: '0 0 1 * *',
  weekly: '0 0 * * 0',
  daily: '0 0 * * *',
  midnight: '0 0 * * *',
  hourly: '0 * * * *',
};

const NEVER = Number.POSITIVE_INFINITY;
// pg_cron's default cron.max_running_jobs
const MAX_RUNNING = 32;

function parseSchedule(text: string): Timing | null {
  const trimmed = text.trim();
  const seconds = /^(\d{1,9})\s*seconds?$/i.exec(trimmed);
  if (seconds) {
    const count = Number(seconds[1]);
    return count >= 1 && count <= 59 ? { kind: 'interval', ms: count * 1000 } : null;
  }
  // like pg_cron, ignore what follows the shortcut or the fifth field
  const shortcut = /^@(\w+)(?:\s|$)/.exec(trimmed);
  if (shortcut?.[1] === 'reboot' || shortcut?.[1] === 'restart') {
    return { kind: 'reboot' };
  }
  const pattern = shortcut ? SHORTCUTS[shortcut[1] ?? ''] : trimmed;
  const fields = pattern?.split(/\s+/).slice(0, 5) ?? [];
  if (fields.length !== 5) {
    return null;
  }
  // pg_cron writes the last day of the month as `$`, croner as `L`
  if (fields[2] === '$') {
    fields[2] = 'L';
  }
  try {
    // pg_cron evaluates schedules in GMT
    return {
      kind: 'cron',
      cron: new Cron(fields.join(' '), { timezone: 'UTC', mode: '5-part', paused: true }),
    };
  } catch {
    return null;
  }
}

function firstRunAt(timing: Timing | null, now: number, starting: boolean): number {
  if (timing === null) {
    return NEVER;
  }
  switch (timing.kind) {
    case 'interval':
      return now;
    case 'reboot':
      return starting ? now : NEVER;
    case 'cron':
      return timing.cron.nextRun(new Date(now))?.getTime() ?? NEVER;
  }
}

function nextRunAfter(timing: Timing | null, now: number): number {
  if (timing?.kind === 'interval') {
    return now + timing.ms;
  }
  if (timing?.kind === 'cron') {
    return timing.cron.nextRun(new Date(now))?.getTime() ?? NEVER;
  }
  return NEVER;
}

function lastStatement(result: unknown): StatementResult {
  // a command of several statements resolves to one result per statement
  const single = result as StatementResult;
  if (single.command !== undefined) {
    return single;
  }
  const results = result as StatementResult[];
  return results[results.length - 1] ?? { command: null, count: null, length: 0 };
}

// What pg_cron stores for a successful run: the row count when the last statement returned
// rows, otherwise its command tag.
function returnMessage(result: unknown): string {
  const statement = lastStatement(result);
  if ((statement.columns?.length ?? 0) > 0 || statement.command === null) {
    return `${statement.length} ${statement.length === 1 ? 'row' : 'rows'}`;
  }
  if (statement.command === 'INSERT') {
    return `INSERT 0 ${statement.count ?? 0}`;
  }
  return statement.count === null ? statement.command : `${statement.command} ${statement.count}`;
}

function describeError(error: unknown): string {
  const { severity, message } = error as { severity?: string; message?: string };
  // libpq's form of a server error, which pg_cron stores as is
  return severity ? `${severity}:  ${message}\n` : String(message ?? error);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A connection of its own for each run, as pg_cron opens one: whatever a command leaves
// behind (a role, settings, temp tables, an open transaction) ends with it. A reserved
// connection from the pool would not do: postgres.js 3.4 crashes the process when a reserved
// connection that lost its socket is used or released.
function openRunConnection(sql: postgres.Sql): postgres.Sql {
  const { host, port, path, database, user, ssl, connection } = sql.options;
  return postgres({
    // postgres() takes back the host and port lists it parsed, and the password that its
    // types declare as null in options
    ...({ host, port, pass: sql.options.pass } as unknown as { host: string; port: number; pass: string }),
    path,
    database,
    user,
    ssl,
    connection: { ...connection, application_name: 'pg_cron' },
    max: 1,
    fetch_types: false,
    onnotice: () => undefined,
  });
}

export function startCronWorker(options: CronWorkerOptions): { stop(): Promise<void> } {
  const { sql, log, tickMs = 1000 } = options;
  const states = new Map<string, JobState>();
  const runs = new Set<Promise<void>>();
  let sessionRole: string | undefined;
  let starting = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  async function markInterruptedRuns(): Promise<void> {
    // as pg_cron does after a restart, for runs whose connection is gone
    await sql`
      update cron.job_run_details
      set status = 'failed', return_message = 'server restarted', end_time = now()
      where status in ('starting', 'running')
        and database = current_database()
        and (job_pid is null or not exists (select from pg_stat_activity where pid = job_pid))
    `;
  }

  async function loadJobs(): Promise<JobRow[]> {
    return sql<JobRow[]>`
      select jobid::text as jobid, schedule, command, username
      from cron.job
      where active and database = current_database()
      order by jobid
    `;
  }

  function stateFor(job: JobRow, now: number): JobState {
    const known = states.get(job.jobid);
    if (known && known.job.schedule === job.schedule) {
      known.job = job;
      return known;
    }
    const timing = parseSchedule(job.schedule);
    if (timing === null) {
      log(`cron: job ${job.jobid} has a schedule this worker cannot run: ${job.schedule}`);
    }
    const state: JobState = {
      job,
      timing,
      nextAt: firstRunAt(timing, now, starting),
      pending: known?.pending ?? false,
      running: known?.running ?? false,
    };
    states.set(job.jobid, state);
    return state;
  }

  async function tick(): Promise<void> {
    try {
      if (starting) {
        sessionRole = (await sql<{ name: string }[]>`select current_user as name`)[0]?.name;
        await markInterruptedRuns();
      }
      const jobs = await loadJobs();
      const now = Date.now();
      const active = new Set<string>();
      for (const job of jobs) {
        active.add(job.jobid);
        const state = stateFor(job, now);
        if (now >= state.nextAt) {
          // a run that comes due while the previous one is still going waits for it
          state.pending = true;
          state.nextAt = nextRunAfter(state.timing, now);
        }
        if (state.pending && !state.running && runs.size < MAX_RUNNING && !stopped) {
          start(state);
        }
      }
      for (const jobid of states.keys()) {
        if (!active.has(jobid)) {
          states.delete(jobid);
        }
      }
      starting = false;
    } catch (error) {
      log(`cron: could not check cron.job: ${errorText(error)}`);
    }
  }

  function start(state: JobState): void {
    state.pending = false;
    state.running = true;
    const run = runJob(state.job).finally(() => {
      state.running = false;
      runs.delete(run);
    });
    runs.add(run);
  }

  async function runJob(job: JobRow): Promise<void> {
    const connection = openRunConnection(sql);
    let runid: string | undefined;
    let outcome: RunOutcome;
    try {
      runid = await beginRun(connection, job);
      outcome = await execute(connection, job);
    } catch (error) {
      outcome = { status: 'failed', message: describeError(error) };
    } finally {
      await connection.end({ timeout: 1 }).catch(() => undefined);
    }
    if (outcome.status === 'failed') {
      log(`cron: job ${job.jobid} failed: ${outcome.message.trim()}`);
    }
    await record(job, runid, outcome).catch((error: unknown) =>
      log(`cron: could not record a run of job ${job.jobid}: ${errorText(error)}`),
    );
  }

  async function beginRun(connection: postgres.Sql, job: JobRow): Promise<string | undefined> {
    const [backend] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const [row] = await sql<{ runid: string }[]>`
      insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
      values (${job.jobid}, ${backend?.pid ?? null}, current_database(), ${job.username}, ${job.command}, 'running', now())
      returning runid::text as runid
    `;
    return row?.runid;
  }

  async function execute(connection: postgres.Sql, job: JobRow): Promise<RunOutcome> {
    try {
      // pg_cron logs in as the job's role; a session-level role keeps commands such as VACUUM
      // and their own COMMITs working as they do there
      if (job.username !== sessionRole) {
        await connection`select set_config('role', ${job.username}, false)`;
      }
      // the simple query protocol, like pg_cron: several statements run as one transaction
      const result = await connection.unsafe(job.command);
      return { status: 'succeeded', message: returnMessage(result) };
    } catch (error) {
      return { status: 'failed', message: describeError(error) };
    }
  }

  async function record(job: JobRow, runid: string | undefined, outcome: RunOutcome): Promise<void> {
    if (runid === undefined) {
      await sql`
        insert into cron.job_run_details (jobid, database, username, command, status, return_message, start_time, end_time)
        values (${job.jobid}, current_database(), ${job.username}, ${job.command}, ${outcome.status}, ${outcome.message}, now(), now())
      `;
      return;
    }
    await sql`
      update cron.job_run_details
      set status = ${outcome.status}, return_message = ${outcome.message}, end_time = now()
      where runid = ${runid}
    `;
  }

  function scheduleTick(delay: number): void {
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        if (!stopped) {
          scheduleTick(tickMs);
        }
      });
    }, delay);
  }

  scheduleTick(0);

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      await Promise.allSettled([...runs]);
    },
  };
}
