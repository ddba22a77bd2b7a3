import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { Log } from './log.ts';
import { paths } from './paths.ts';
import { freePort } from './ports.ts';

export interface FunctionsRuntime {
  /** Forwards /functions/v1/<name>/... to the runtime as /<name>/... */
  fetch(request: Request, functionPath: string): Promise<Response>;
  stop(): Promise<void>;
}

export interface FunctionsOptions {
  /** The folder of functions, one sub-folder each (default supabase/functions). */
  dir?: string;
  /** The environment the platform gives every function (SUPABASE_URL, keys, SUPABASE_DB_URL). */
  env: Record<string, string>;
  disabled: string[];
  /** Restart on edits to functions and shared code (`npm start`), not in tests. */
  watch: boolean;
  log: Log;
}

/** The real Deno binary shipped in the `deno` npm package. */
export function denoBinary(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('deno/package.json')), 'deno');
}

/** The project's own secrets (supabase/functions/.env, gitignored), as `supabase secrets set` would give them. */
function projectSecrets(): Record<string, string> {
  if (!fs.existsSync(paths.functionsEnv)) return {};
  return parseEnv(fs.readFileSync(paths.functionsEnv, 'utf8')) as Record<string, string>;
}

/** Restarts after a crash wait 250 ms, then twice as long each time it fails again, up to this. */
const MAX_RESTART_DELAY_MS = 4000;

interface DenoProcess {
  child: ChildProcess;
  base: string;
  exited: Promise<void>;
  hasExited: () => boolean;
}

/**
 * One Deno process serving every function, supervised: if it dies, it is started again with
 * exponential backoff, and meanwhile requests answer 503 at once instead of failing to connect.
 */
export async function startFunctions(options: FunctionsOptions): Promise<FunctionsRuntime> {
  const { log } = options;
  let deno: DenoProcess = await spawnDeno(options);
  // Undefined while the process is down or still starting.
  let serving: DenoProcess | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  let failedStarts = 0;
  // A Node process that dies in any way must not leave Deno behind.
  const killOnExit = () => deno.child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const restartLater = (why: string, error?: unknown) => {
    const delay = Math.min(250 * 2 ** failedStarts, MAX_RESTART_DELAY_MS);
    log.error(`${why}; starting it again in ${delay} ms`, error);
    restartTimer = setTimeout(() => {
      restarting = restart();
    }, delay);
  };
  const supervise = (running: DenoProcess) => {
    serving = running;
    void running.exited.then(() => {
      serving = undefined;
      const { exitCode, signalCode } = running.child;
      if (!stopping) restartLater(`the edge functions runtime exited (${signalCode ?? `code ${exitCode}`})`);
    });
  };
  const restart = async () => {
    try {
      deno = await spawnDeno(options);
      await waitUntilReady(deno, () => stopping);
      if (stopping) return;
      failedStarts = 0;
      log.info('the edge functions runtime is serving again');
      supervise(deno);
    } catch (error) {
      failedStarts++;
      deno.child.kill('SIGKILL');
      if (!stopping) restartLater('the edge functions runtime did not start again', error);
    }
  };

  try {
    await waitUntilReady(deno, () => false);
  } catch (error) {
    process.removeListener('exit', killOnExit);
    deno.child.kill('SIGKILL');
    throw error;
  }
  supervise(deno);

  return {
    fetch: async (request, functionPath) => {
      const running = serving;
      if (!running) return functionsUnavailable();
      const url = new URL(request.url);
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      try {
        return await fetch(`${running.base}${functionPath}${url.search}`, {
          method: request.method,
          headers: withoutHopByHop(request.headers),
          body: hasBody ? request.body : undefined,
          redirect: 'manual',
          ...(hasBody ? { duplex: 'half' } : {}),
        } as RequestInit);
      } catch (error) {
        // Deno died under this request; its exit, which starts it again, is logged.
        log.info(`the functions runtime did not answer: ${error instanceof Error ? error.message : error}`);
        return functionsUnavailable();
      }
    },
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      // A restart under way stops waiting for readiness; its process is stopped below.
      await restarting;
      process.removeListener('exit', killOnExit);
      if (!deno.hasExited()) deno.child.kill('SIGTERM');
      const timer = setTimeout(() => deno.child.kill('SIGKILL'), 3000);
      await deno.exited;
      clearTimeout(timer);
    },
  };
}

function functionsUnavailable(): Response {
  return Response.json(
    {
      error: { code: 'FUNCTIONS_UNAVAILABLE', message: 'The edge functions runtime is restarting; try again shortly.' },
    },
    { status: 503, headers: { 'retry-after': '1' } },
  );
}

async function spawnDeno(options: FunctionsOptions): Promise<DenoProcess> {
  const { log } = options;
  const dir = options.dir ?? paths.functions;
  const port = await freePort();
  // The project's import map applies to every function, wherever the folder is.
  const args = ['run', '--quiet', '--no-prompt', `--config=${path.join(paths.functions, 'deno.json')}`];
  args.push('--allow-net', '--allow-env', '--allow-read', '--allow-sys');
  if (options.watch) args.push(`--watch=${dir},${path.join(paths.repo, 'packages/shared/src')}`);
  args.push(paths.functionsServer);

  const child: ChildProcess = spawn(denoBinary(), args, {
    cwd: dir,
    env: {
      ...pick(process.env, [
        'PATH',
        'HOME',
        'DENO_DIR',
        'NPM_CONFIG_REGISTRY',
        'HTTPS_PROXY',
        'HTTP_PROXY',
        'NO_PROXY',
        // The certificates a machine behind a TLS-inspecting proxy trusts beyond the public ones:
        // Deno reads Node's variable as well as its own, for npm: downloads and fetch() alike.
        // Without them a clean cache could not download the functions' packages there.
        'NODE_EXTRA_CA_CERTS',
        'DENO_CERT',
        'DENO_TLS_CA_STORE',
      ]),
      ...projectSecrets(),
      ...options.env,
      DEVSTACK_FUNCTIONS_DIR: dir,
      DEVSTACK_FUNCTIONS_PORT: String(port),
      DEVSTACK_DISABLED_FUNCTIONS: options.disabled.join(','),
      NO_COLOR: '1',
    },
    // stdin stays open while this process lives: the runtime exits when it ends.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const relay = (write: (line: string) => void) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) write(line);
  };
  child.stdout?.on(
    'data',
    relay((line) => log.info(line)),
  );
  child.stderr?.on(
    'data',
    relay((line) => log.error(line)),
  );
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
  });
  return { child, base: `http://127.0.0.1:${port}`, exited: exit, hasExited: () => exited };
}

async function waitUntilReady(deno: DenoProcess, cancelled: () => boolean): Promise<void> {
  // The first start downloads the functions' npm packages into Deno's cache.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !cancelled()) {
    if (deno.hasExited()) throw new Error('the edge functions runtime (Deno) exited during start; see the lines above');
    try {
      if ((await fetch(`${deno.base}/_ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!cancelled()) throw new Error('the edge functions runtime (Deno) did not start within 120 s');
}

const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade'];

function withoutHopByHop(headers: Headers): Headers {
  const copy = new Headers(headers);
  for (const name of HOP_BY_HOP) copy.delete(name);
  return copy;
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => env[key] !== undefined).map((key) => [key, env[key] as string]));
}
