import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareDatabase, resetDatabase } from './database.ts';
import { createLog } from './log.ts';
import { listMigrations } from './migrations.ts';
import { paths } from './paths.ts';
import { freePort } from './ports.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { schemaDiff, withSchemaDatabases } from './schemas.ts';
import { type Stack, startStack } from './stack.ts';
import { claim, envLines, markReady, readRunning, release } from './state.ts';
import { generateTypes } from './typegen.ts';

/** Local stack settings live here (and in the environment), never in supabase/config.toml. */
const settings = {
  apiPort: Number(process.env.API_PORT ?? 54321),
  dbPort: Number(process.env.DB_PORT ?? 54322),
  // The mail catcher: [inbucket]'s ports unless these say otherwise.
  mailPorts:
    process.env.MAIL_PORT || process.env.MAIL_SMTP_PORT
      ? { http: Number(process.env.MAIL_PORT ?? 54324), smtp: Number(process.env.MAIL_SMTP_PORT ?? 54325) }
      : undefined,
  databaseUrl: process.env.DATABASE_URL || undefined,
  stateDir: process.env.DEVSTACK_STATE_DIR ? path.resolve(process.env.DEVSTACK_STATE_DIR) : paths.state,
};

const DEMO_LOGIN = { email: 'demo@westwallet.app', password: 'westwallet-demo' };

async function start(): Promise<void> {
  const startedAt = Date.now();
  claim(settings.stateDir);
  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the stack...`);
    await stack?.stop();
    release(settings.stateDir);
    process.exit(0);
  };
  // Ctrl-C, a process manager's stop, a closed terminal: Postgres and Deno must stop with us.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

  try {
    stack = await startStack({ kind: 'dev', watchFunctions: true, ...settings });
  } catch (error) {
    release(settings.stateDir);
    throw error;
  }
  markReady(settings.stateDir, stack);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`
WestWallet local stack is running (ready in ${seconds} s). Ctrl-C stops it.

  API URL        ${stack.apiUrl}
  Data API       ${stack.apiUrl}/rest/v1
  Auth           ${stack.apiUrl}/auth/v1
  Storage        ${stack.apiUrl}/storage/v1
  Functions      ${stack.apiUrl}/functions/v1/<name>
  Database       ${stack.dbUrl}
  Mailpit URL    ${stack.mailUrl}   (every email the stack sends lands here)
  Publishable    ${stack.keys.publishableKey}   (the anon key for supabase-js)
  Secret         ${stack.keys.secretKey}   (service_role: servers only)
  Demo login     ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}

  npm run status   prints these as KEY="value" lines (see the README to run the tests against this stack)
`);
}

function status(): void {
  const running = readRunning(settings.stateDir);
  if (!running?.ready || !running.apiUrl || !running.dbUrl || !running.keys || !running.mailUrl) {
    console.error(
      running ? 'The local stack is still starting.' : 'No local stack is running: start one with `npm start`.',
    );
    process.exit(1);
  }
  console.log(
    envLines({ apiUrl: running.apiUrl, dbUrl: running.dbUrl, keys: running.keys, mailUrl: running.mailUrl }).join('\n'),
  );
}

/** Rebuilds the database from migrations and seed: the running stack's, or the stopped one's. */
async function dbReset(): Promise<void> {
  const log = createLog('db:reset');
  const running = readRunning(settings.stateDir);
  if (running?.dbUrl)
    return resetDatabase({ url: running.dbUrl, log, projectUrl: running.apiUrl, secretKey: running.keys?.secretKey });
  if (running) throw new Error('The local stack is still starting; run db:reset when it is ready.');
  if (settings.databaseUrl) return resetDatabase({ url: settings.databaseUrl, log });
  claim(settings.stateDir);
  try {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(settings.stateDir, 'db'),
      port: settings.dbPort,
      throwaway: false,
      log: createLog('postgres'),
    });
    try {
      await resetDatabase({ url: server.url, log });
    } finally {
      await server.stop();
    }
  } finally {
    release(settings.stateDir);
  }
}

/** Types from a throwaway database built from the migrations alone, so local data never leaks in. */
async function genTypes(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-types-'));
  const log = createLog('gen:types', { quiet: true });
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'db'),
    port: await freePort(),
    throwaway: true,
    log,
  });
  try {
    await prepareDatabase({ url: server.url, log, seed: false });
    const types = await generateTypes(server.url);
    fs.writeFileSync(paths.generatedTypes, types);
    console.log(`wrote ${path.relative(process.cwd(), paths.generatedTypes)}`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run db:diff -- <name>`: the migration that takes a database built from supabase/migrations
 * to what supabase/schemas defines, as `supabase db diff -f <name>` writes it, without Docker.
 */
async function dbDiff(): Promise<void> {
  const name = migrationName();
  const statements = await withSchemaDatabases((urls) => schemaDiff(urls.migrations, urls.schemas));
  if (!statements) {
    console.log('supabase/schemas and supabase/migrations define the same database: no migration written.');
    return;
  }
  const file = writeMigration(
    name,
    `${statements}
`,
  );
  console.log(`wrote ${file}: read it, then say in its header what it changes and why.`);
}

/** `npm run migration:new -- <name>`: an empty migration, for data changes a schema diff cannot see. */
function migrationNew(): void {
  console.log(`wrote ${writeMigration(migrationName(), '')}`);
}

function migrationName(): string {
  const name = process.argv[3] ?? '';
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error('Name the change in snake_case, e.g. `npm run db:diff -- contracts_add_reminders`.');
  }
  return name;
}

/** supabase/migrations/<UTC time now>_<name>.sql, after every migration there is. */
function writeMigration(name: string, body: string): string {
  const now = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const latest = listMigrations(paths.migrations).at(-1)?.version ?? '';
  if (now <= latest) throw new Error(`the latest migration (${latest}) is dated after now; check the clock`);
  const file = path.join(paths.migrations, `${now}_${name}.sql`);
  const words = name.replaceAll('_', ' ');
  const header = `-- ${words[0].toUpperCase()}${words.slice(1)}: what changes and why, in a line or two.\n-- Touches: the tables and functions it changes.\n\n`;
  fs.writeFileSync(file, header + body, { flag: 'wx' });
  return path.relative(process.cwd(), file);
}

const commands: Record<string, () => Promise<void> | void> = {
  start,
  status,
  'db-reset': dbReset,
  'gen-types': genTypes,
  'db-diff': dbDiff,
  'migration-new': migrationNew,
};

const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: cli.ts ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
try {
  await command();
  if (process.argv[2] !== 'start') process.exit(0);
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
