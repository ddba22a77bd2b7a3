import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@pgkit/client';
import { run as migra } from '@pgkit/migra';
import { parse } from 'smol-toml';
import { connect, withDatabase } from './database.ts';
import { createLog, type Log } from './log.ts';
import { applyMigrations, describeSqlError } from './migrations.ts';
import { paths } from './paths.ts';
import { ensurePlatform } from './platform.ts';
import { freePort } from './ports.ts';
import { startEmbeddedPostgres } from './postgres.ts';

/**
 * The current schema, `supabase/schemas/`, against the deploy history, `supabase/migrations/`.
 * Both are built into databases of a throwaway cluster and compared as the Supabase CLI's
 * `db diff` compares them: migra for the catalog (tables, columns, constraints, indexes, views,
 * functions, triggers, policies, types, table grants), plus what migra leaves out: comments,
 * who may execute a function, and scheduled jobs.
 */

/** The schema files in the order `[db.migrations] schema_paths` in config.toml gives them. */
export function schemaFiles(configFile = paths.configToml): string[] {
  const toml = parse(fs.readFileSync(configFile, 'utf8')) as { db?: { migrations?: { schema_paths?: string[] } } };
  const patterns = toml.db?.migrations?.schema_paths ?? [];
  const base = path.dirname(configFile);
  const files: string[] = [];
  for (const pattern of patterns) {
    for (const file of expand(path.resolve(base, pattern))) if (!files.includes(file)) files.push(file);
  }
  return files;
}

/** A path whose last segment may hold `*`; matches in lexicographic order, as the CLI applies them. */
function expand(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const name = path.basename(pattern);
  if (!name.includes('*')) return fs.existsSync(pattern) ? [pattern] : [];
  if (!fs.existsSync(dir)) return [];
  const match = new RegExp(`^${name.split('*').map(escapeRegExp).join('[^/]*')}$`);
  return fs
    .readdirSync(dir)
    .filter((file) => match.test(file))
    .sort()
    .map((file) => path.join(dir, file));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Applies the schema files to an empty database, each in its own transaction. */
export async function applySchemas(url: string, files: string[], log: Log): Promise<void> {
  const sql = connect(url, { max: 1 });
  try {
    await ensurePlatform(sql, log);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      try {
        await sql.begin((tx) => tx.unsafe(text));
      } catch (error) {
        throw new Error(`${path.relative(paths.repo, file)} failed: ${describeSqlError(error, text)}`);
      }
    }
  } finally {
    await sql.end();
  }
}

export interface SchemaDatabases {
  /** Built from supabase/migrations, as every deployed database is. */
  migrations: string;
  /** Built from supabase/schemas, the current definitions. */
  schemas: string;
}

/** Runs `fn` with the two databases on a throwaway cluster, removed afterwards. */
export async function withSchemaDatabases<T>(fn: (urls: SchemaDatabases) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-schemas-'));
  const log = createLog('schemas', { quiet: true });
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'db'),
    port: await freePort(),
    throwaway: true,
    log,
  });
  try {
    const urls = {
      migrations: withDatabase(server.url, 'from_migrations'),
      schemas: withDatabase(server.url, 'from_schemas'),
    };
    const admin = connect(server.url, { max: 1 });
    await admin.unsafe('create database from_migrations');
    await admin.unsafe('create database from_schemas');
    await admin.end();
    const history = connect(urls.migrations, { max: 1 });
    try {
      await ensurePlatform(history, log);
      await applyMigrations(history, paths.migrations, log);
    } finally {
      await history.end();
    }
    await applySchemas(urls.schemas, schemaFiles(), log);
    return await fn(urls);
  } finally {
    await untilClientsLeft(server.url);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * migra's pool resolves its end() before its connections have closed: stopping the server then
 * terminates them, which its driver throws where no one catches it. Wait for them to go.
 */
async function untilClientsLeft(serverUrl: string): Promise<void> {
  const sql = connect(serverUrl, { max: 1 });
  try {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      const [{ open }] = await sql<{ open: number }[]>`
        select count(*)::int as open from pg_stat_activity
        where datname in ('from_migrations', 'from_schemas') and pid <> pg_backend_pid()`;
      if (open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await sql.end();
  }
}

/** The statements that turn database `from` into database `to`; empty when they agree. */
export async function schemaDiff(from: string, to: string): Promise<string> {
  const [source, target] = [createClient(from), createClient(to)];
  try {
    // The migration history is the CLI's bookkeeping, not part of the schema.
    const migration = await migra(source, target, {
      unsafe: true,
      withPrivileges: true,
      excludeSchema: ['supabase_migrations'],
    });
    const catalog = migration.sql.trim();
    const extras = await Promise.all([comments, functionGrants, cronJobs].map((part) => part(from, to)));
    return [catalog, ...extras].filter(Boolean).join('\n\n');
  } finally {
    await Promise.all([source.end(), target.end()]);
  }
}

/** Rows of `query` in each database, by key: what differs, in `to`'s terms (undefined: gone). */
async function compare<T>(from: string, to: string, query: string, key: (row: T) => string) {
  const read = async (url: string) => {
    // An empty search_path makes regprocedure and pg_identify_object name every schema.
    const sql = connect(url, { max: 1 });
    try {
      await sql`select set_config('search_path', '', false)`;
      return new Map((await sql.unsafe<T[]>(query)).map((row) => [key(row), row]));
    } finally {
      await sql.end();
    }
  };
  const [before, after] = await Promise.all([read(from), read(to)]);
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys
    .filter((k) => JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k)))
    .map((k) => ({ key: k, before: before.get(k), after: after.get(k) }));
}

const OUR_SCHEMAS = `('public', 'private', 'admin')`;
const literal = (text: string | null | undefined) => (text == null ? 'null' : `'${text.replaceAll("'", "''")}'`);

/** `comment on` every object of ours: migra compares none but a few. */
async function comments(from: string, to: string): Promise<string> {
  type Row = { kind: string; identity: string; description: string };
  const changed = await compare<Row>(
    from,
    to,
    `select i.type as kind, i.identity, d.description
     from pg_catalog.pg_description d
     cross join lateral pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) i
     where i.schema in ${OUR_SCHEMAS}`,
    (row) => `${row.kind} ${row.identity}`,
  );
  return changed
    .map(({ before, after }) => {
      const row = (after ?? before) as Row;
      const kind = row.kind === 'table column' ? 'column' : row.kind;
      return `comment on ${kind} ${row.identity} is ${literal(after?.description)};`;
    })
    .join('\n');
}

/** Who may execute each function of ours: migra's privileges cover tables only. */
async function functionGrants(from: string, to: string): Promise<string> {
  type Row = { fn: string; grantees: string[] };
  const changed = await compare<Row>(
    from,
    to,
    `select p.oid::regprocedure::text as fn,
            array(select case a.grantee when 0 then 'public' else a.grantee::regrole::text end
                  from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                  where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as grantees
     from pg_catalog.pg_proc p
     where p.pronamespace::regnamespace::text in ${OUR_SCHEMAS}`,
    (row) => row.fn,
  );
  return changed
    .filter(({ after }) => after)
    .map(({ after }) => {
      const { fn, grantees } = after as Row;
      const kind = 'function';
      const grant = grantees.length ? `\ngrant execute on ${kind} ${fn} to ${grantees.join(', ')};` : '';
      return `revoke all on ${kind} ${fn} from public, anon, authenticated, service_role;${grant}`;
    })
    .join('\n');
}

/** pg_cron's jobs are rows, not catalog: a schedule that changed is scheduled again. */
async function cronJobs(from: string, to: string): Promise<string> {
  type Row = { jobname: string; schedule: string; command: string };
  const changed = await compare<Row>(
    from,
    to,
    `select jobname, schedule, command from cron.job where jobname is not null`,
    (row) => row.jobname,
  );
  return changed
    .map(({ key, after }) =>
      after
        ? `select cron.schedule(${literal(key)}, ${literal(after.schedule)}, ${literal(after.command)});`
        : `select cron.unschedule(${literal(key)});`,
    )
    .join('\n');
}
