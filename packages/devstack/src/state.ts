import fs from 'node:fs';
import path from 'node:path';
import type { StackInfo } from './stack.ts';

/** What a running `npm start` tells other commands (`npm run status`, `npm run db:reset`). */
export interface RunningState extends Partial<StackInfo> {
  pid: number;
  startedAt: string;
  ready: boolean;
}

const file = (stateDir: string) => path.join(stateDir, 'stack.json');

/**
 * Whether a process runs (EPERM: as another user). A zombie does not: a killed process whose
 * parent died too waits for init to reap it, which may take a while.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The state of a stack whose process is still alive; a stale file from a crash counts as none. */
export function readRunning(stateDir: string): RunningState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(file(stateDir), 'utf8')) as RunningState;
    return isRunning(state.pid) && state.pid !== process.pid ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the state folder for this process: fails at once, naming the other process, when a
 * stack already runs from it. `wx` makes two starts racing for the file fail one of them.
 */
export function claim(stateDir: string): void {
  const running = readRunning(stateDir);
  if (running) {
    throw new Error(
      `A WestWallet stack is already running (pid ${running.pid}${running.apiUrl ? `, ${running.apiUrl}` : ''}). ` +
        'Stop it with Ctrl-C in its terminal, or use it: `npm run status` prints its URLs and keys.',
    );
  }
  fs.mkdirSync(stateDir, { recursive: true });
  fs.rmSync(file(stateDir), { force: true });
  const state: RunningState = { pid: process.pid, startedAt: new Date().toISOString(), ready: false };
  fs.writeFileSync(file(stateDir), JSON.stringify(state), { flag: 'wx', mode: 0o600 });
}

export function markReady(stateDir: string, info: StackInfo): void {
  const state: RunningState = { pid: process.pid, startedAt: new Date().toISOString(), ready: true, ...info };
  fs.writeFileSync(file(stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function release(stateDir: string): void {
  try {
    const state = JSON.parse(fs.readFileSync(file(stateDir), 'utf8')) as RunningState;
    if (state.pid === process.pid) fs.rmSync(file(stateDir), { force: true });
  } catch {
    // nothing to release
  }
}

/** `supabase status -o env` style lines, plus the SUPABASE_* names our tests and functions read. */
export function envLines(info: StackInfo): string[] {
  const entries: Array<[string, string]> = [
    ['API_URL', info.apiUrl],
    ['REST_URL', `${info.apiUrl}/rest/v1`],
    ['AUTH_URL', `${info.apiUrl}/auth/v1`],
    ['STORAGE_URL', `${info.apiUrl}/storage/v1`],
    ['FUNCTIONS_URL', `${info.apiUrl}/functions/v1`],
    ['DB_URL', info.dbUrl],
    ['PUBLISHABLE_KEY', info.keys.publishableKey],
    ['SECRET_KEY', info.keys.secretKey],
    ['ANON_KEY', info.keys.publishableKey],
    ['SERVICE_ROLE_KEY', info.keys.secretKey],
    ['JWT_SECRET', info.keys.jwtSecret],
    // `supabase status -o env` names the catcher both ways (Inbucket before CLI 2.x, Mailpit since).
    ['INBUCKET_URL', info.mailUrl],
    ['MAILPIT_URL', info.mailUrl],
    ['SUPABASE_URL', info.apiUrl],
    ['SUPABASE_DB_URL', info.dbUrl],
    ['SUPABASE_ANON_KEY', info.keys.publishableKey],
    ['SUPABASE_SERVICE_ROLE_KEY', info.keys.secretKey],
    // The tests forge tokens the API must refuse (tests/auth/tokens.test.ts).
    ['SUPABASE_JWT_SECRET', info.keys.jwtSecret],
  ];
  return entries.map(([key, value]) => `${key}="${value}"`);
}
