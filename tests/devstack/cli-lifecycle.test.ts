import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { freePort } from '@westwallet/devstack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deviceAddress } from '../helpers/clients.ts';

/**
 * `npm start`, `npm run status` and `npm run db:reset` as a developer runs them, each in its own
 * process group, stopped with SIGINT sent to the whole group as a terminal's Ctrl-C does.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-cli-'));
let apiPort: number;
let dbPort: number;
let mailPort: number;
let mailSmtpPort: number;

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_PORT: String(apiPort),
    DB_PORT: String(dbPort),
    MAIL_PORT: String(mailPort),
    MAIL_SMTP_PORT: String(mailSmtpPort),
    DEVSTACK_STATE_DIR: stateDir,
    DATABASE_URL: '',
  };
  for (const key of Object.keys(env)) if (key.startsWith('SUPABASE_')) delete env[key];
  return env;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const runs: Run[] = [];

function npm(...args: string[]): Run {
  const child = spawn('npm', args, {
    cwd: repo,
    env: environment(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, output: () => output, exited };
  runs.push(run);
  return run;
}

/** Whether `done` came true within `ms`, checked every 200 ms. */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; !done(); await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

/** Waits until `npm start` is ready, failing with what it printed if it exits or hangs instead. */
async function startStack(): Promise<Run> {
  const run = npm('start');
  let exited = false;
  void run.exited.then(() => {
    exited = true;
  });
  const ready = () => run.output().includes('stack is running');
  if (!(await waitFor(() => exited || ready(), 150_000)) || !ready())
    throw new Error(`npm start ${exited ? 'exited' : 'was not ready after 150 s'}; it printed:\n${run.output()}`);
  return run;
}

/**
 * Ctrl-C in a terminal signals the whole foreground process group, not one process, and so does
 * closing the terminal (SIGHUP); `kill` or a process manager signals npm alone (SIGTERM). npm
 * itself dies of the signal; what counts is that the stack stopped in order and nothing is left.
 */
async function interrupt(run: Run, signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' = 'SIGINT'): Promise<void> {
  const pgid = run.child.pid as number;
  process.kill(signal === 'SIGTERM' ? pgid : -pgid, signal);
  await run.exited;
  await expect.poll(() => processGroup(pgid), { timeout: 15_000 }).toEqual([]);
  // What the stack wrote last may still be in the pipe when its processes are gone.
  await expect.poll(run.output, { timeout: 5_000 }).toContain(`${signal}: stopping the stack`);
}

/** Names of the processes still alive in a process group (postgres, deno, node...). */
function processGroup(pgid: number): string[] {
  return groupMembers(pgid).map((member) => member.name);
}

function groupMembers(pgid: number): Array<{ pid: number; name: string }> {
  const members: Array<{ pid: number; name: string }> = [];
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z')
        members.push({ pid: Number(pid), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

async function status(): Promise<Record<string, string>> {
  const run = npm('run', '-s', 'status');
  expect(await run.exited).toBe(0);
  return Object.fromEntries(
    run
      .output()
      .trim()
      .split('\n')
      .map((line) => /^([A-Z_]+)="(.*)"$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], match[2]]),
  );
}

function client(env: Record<string, string>) {
  return createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket as never },
    global: { headers: deviceAddress() },
  });
}

// A start takes seconds alone, and up to a minute beside the other suites on a busy machine.
describe('the local stack from the command line', { timeout: 240_000 }, () => {
  const credentials = { email: 'persisted@test.westwallet.app', password: 'a-long-password-1' };
  const demo = { email: 'demo@westwallet.app', password: 'westwallet-demo' };

  beforeAll(async () => {
    apiPort = await freePort();
    dbPort = await freePort();
    mailPort = await freePort();
    mailSmtpPort = await freePort();
  });
  // A failed test must not leave its stack to the next ones: stop what is left the way a developer
  // would (Ctrl-C), and kill what does not stop, so each test fails for its own reason only.
  afterEach(async () => {
    for (const pgid of runs.splice(0).map((run) => run.child.pid as number)) {
      if (groupMembers(pgid).length === 0) continue;
      process.kill(-pgid, 'SIGINT');
      if (await waitFor(() => groupMembers(pgid).length === 0, 30_000)) continue;
      for (const { pid } of groupMembers(pgid)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('serves Auth and the Data API, refuses a second start, and leaves no process after Ctrl-C', async () => {
    const first = await startStack();
    const pgid = first.child.pid as number;
    expect(processGroup(pgid)).toEqual(expect.arrayContaining(['postgres', 'deno']));

    const env = await status();
    expect(env.SUPABASE_URL).toBe(`http://127.0.0.1:${apiPort}`);
    expect(env.SUPABASE_DB_URL).toContain(`:${dbPort}/`);
    expect(env.MAILPIT_URL).toBe(`http://127.0.0.1:${mailPort}`);
    const signUp = await client(env).auth.signUp(credentials);
    expect(signUp.error).toBeNull();
    // The confirmation mail is in the catcher `npm run status` names, and its link confirms.
    const search = `${env.MAILPIT_URL}/api/v1/search?query=${encodeURIComponent(`to:${credentials.email}`)}`;
    const { messages } = await (await fetch(search)).json();
    expect(messages).toHaveLength(1);
    const mail = await (await fetch(`${env.MAILPIT_URL}/api/v1/message/${messages[0].ID}`)).json();
    const link = (mail.HTML as string).match(/href="([^"]*\/auth\/v1\/verify[^"]*)"/)?.[1].replaceAll('&amp;', '&');
    const confirmed = await fetch(link ?? '', { redirect: 'manual' });
    expect(confirmed.headers.get('location')).toContain('access_token=');
    const demoClient = client(env);
    const demoLogin = await demoClient.auth.signInWithPassword(demo);
    expect(demoLogin.error).toBeNull();
    // The app's own mail: an invitation goes out through mail-send over SMTP to the same catcher.
    const { data: household } = await demoClient.from('organizations').select('id').limit(1).single();
    const invited = await demoClient.rpc('invite_member', {
      org_id: household?.id,
      email: 'invited@test.westwallet.app',
    });
    expect(invited.error).toBeNull();
    const invitation = `${env.MAILPIT_URL}/api/v1/search?query=${encodeURIComponent('to:invited@test.westwallet.app')}`;
    const deadline = Date.now() + 30_000;
    while ((await (await fetch(invitation)).json()).total === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await (await fetch(invitation)).json()).messages[0]?.Subject).toMatch(/bjudit in dig/);

    const second = npm('start');
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`already running (pid`);

    await interrupt(first);
    expect(await npm('run', '-s', 'status').exited).toBe(1);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)('leaves no Postgres or Deno behind after %s', async (signal) => {
    const run = await startStack();
    expect(processGroup(run.child.pid as number)).toEqual(expect.arrayContaining(['postgres', 'deno']));
    await interrupt(run, signal);
  });

  it('starts again after a stack killed with SIGKILL, stopping the Postgres it left', async () => {
    const crashed = await startStack();
    const pgid = crashed.child.pid as number;
    // Node dies without a chance to stop anything; its Postgres and Deno are left running.
    for (const { pid, name } of groupMembers(pgid)) {
      if (name !== 'postgres' && name !== 'deno') process.kill(pid, 'SIGKILL');
    }
    await crashed.exited;
    expect(processGroup(pgid)).toContain('postgres');

    const next = await startStack();
    const leftover = () => groupMembers(pgid).filter(({ name }) => name !== 'deno');
    await expect.poll(leftover, { timeout: 15_000 }).toEqual([]);
    // Deno under --watch outlives a stack killed so: its watcher does not end with its stdin, as
    // the runtime does without --watch (the test stacks). It holds no port the next start needs.
    for (const { pid } of groupMembers(pgid)) process.kill(pid, 'SIGKILL');
    await interrupt(next);
  });

  it('starts despite a stale postmaster.pid naming a process that is not Postgres', async () => {
    const pidFile = path.join(stateDir, 'db', 'postmaster.pid');
    expect(fs.existsSync(pidFile)).toBe(false);
    // As after a crash of the machine: the pid in the file now belongs to another process.
    fs.writeFileSync(pidFile, `${process.pid}\n${path.join(stateDir, 'db')}\n`);
    await interrupt(await startStack());
  });

  it('fails at once with a message naming a busy port', async () => {
    const blocker = net.createServer().listen(apiPort, '127.0.0.1');
    await new Promise((resolve, reject) => blocker.once('listening', resolve).once('error', reject));
    try {
      const run = npm('start');
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`Port ${apiPort} for the API is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('keeps data across restarts, and db:reset rebuilds the database from migrations and seed', async () => {
    const run = await startStack();
    const env = await status();
    const signIn = await client(env).auth.signInWithPassword(credentials);
    expect(signIn.error).toBeNull();

    const reset = npm('run', 'db:reset');
    expect(await reset.exited).toBe(0);
    const afterReset = await client(env).auth.signInWithPassword(credentials);
    expect(afterReset.error?.status).toBe(400);
    const demoLogin = await client(env).auth.signInWithPassword(demo);
    expect(demoLogin.error).toBeNull();

    await interrupt(run);
  });
});
