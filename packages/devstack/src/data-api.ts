import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { App, setExperimental } from '@supabase/lite';
import { createPostgresConnection } from '@supabase/lite/postgres';
import type postgres from 'postgres';
import type { StackKeys } from './keys.ts';
import type { Log } from './log.ts';
import type { ProjectConfig } from './project-config.ts';
import { leaseSessions } from './sessions.ts';
import { FilesystemStorageAdapter } from './storage-adapter.ts';

export interface DataApi {
  fetch(request: Request, peerAddress: string | null): Promise<Response>;
  close(): Promise<void>;
}

export interface DataApiOptions {
  dbUrl: string;
  /** Used to LISTEN for schema reloads. */
  sql: postgres.Sql;
  keys: StackKeys;
  config: ProjectConfig;
  storageDir: string;
  log: Log;
  /** Print what lite logs while serving a request only when the request fails with a 5xx. */
  quiet?: boolean;
}

/** The request being served, wherever lite's code runs for it. */
interface RequestState {
  /** It lost its database connection (or could not get one). */
  databaseUnavailable: boolean;
  /** What lite printed with console.error meanwhile, held in quiet mode. */
  held?: unknown[][];
}

const requests = new AsyncLocalStorage<RequestState>();
let holdingErrors = false;
let printError: (...args: unknown[]) => void;

/**
 * lite prints every failed query with its stack (console.error, no logger option), refusals that
 * tests provoke on purpose included: thousands of lines in a passing run. While a quiet stack
 * serves a request, what lite prints is held instead, to be printed if the request fails.
 */
function holdErrorsOfQuietRequests(): void {
  if (holdingErrors) return;
  holdingErrors = true;
  const print = console.error;
  printError = (...args) => print.apply(console, args);
  console.error = (...args: unknown[]) => {
    const held = requests.getStore()?.held;
    if (held) held.push(args);
    else printError(...args);
  };
}

/**
 * Values as PostgREST's JSON carries them. lite's driver hands a json/jsonb function argument to
 * Postgres already serialized and then serializes it again, so `rpc('f', { parts: [...] })`
 * arrived as a JSON string; and it answers `numeric` as a string (`"1.5000"`) where PostgREST
 * writes a JSON number.
 */
const postgrestJsonTypes = {
  json: {
    to: 114,
    from: [114],
    serialize: (value: unknown) => (typeof value === 'string' && isJsonText(value) ? value : JSON.stringify(value)),
    parse: (text: string) => JSON.parse(text),
  },
  jsonb: {
    to: 3802,
    from: [3802],
    serialize: (value: unknown) => (typeof value === 'string' && isJsonText(value) ? value : JSON.stringify(value)),
    parse: (text: string) => JSON.parse(text),
  },
  numeric: {
    to: 1700,
    from: [1700],
    serialize: (value: unknown) => String(value),
    parse: (text: string) => Number(text),
  },
};

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Data API (/rest/v1), Auth (/auth/v1) and Storage (/storage/v1), served by @supabase/lite on
 * its Postgres driver. Like PostgREST it reloads its schema cache on `notify pgrst, 'reload schema'`
 * (sent by the DDL event triggers), which lite itself does not listen for.
 */
export async function startDataApi(options: DataApiOptions): Promise<DataApi> {
  const { dbUrl, sql, keys, config, storageDir, log, quiet = false } = options;
  setExperimental('storage', true);
  if (quiet) holdErrorsOfQuietRequests();
  const connection = createPostgresConnection({ url: dbUrl, postgresOptions: { types: postgrestJsonTypes } });
  const sessions = await leaseSessions(connection.driver, {
    size: SESSIONS,
    onConnectionFailure: () => {
      const request = requests.getStore();
      if (request) request.databaseUnavailable = true;
    },
  });
  // On its first request lite would otherwise "activate RLS" by granting everything in every
  // schema with an RLS table to anon, authenticated and service_role, and altering default
  // privileges to match: that undoes the migrations' deny-by-default grants. The roles it would
  // create exist already (platform.ts).
  (connection as unknown as { rlsState: string }).rlsState = 'active';
  answerErrorsAsPostgrest(connection);
  const app = new App({
    connection,
    api: { schemas: config.api.schemas, max_rows: config.api.max_rows },
    auth: {
      ...config.auth,
      enabled: true,
      jwt_secret: keys.jwtSecret,
      publishable_key: keys.publishableKey,
      secret_key: keys.secretKey,
    },
    storage: { enabled: true, ...config.storage },
    // Keyless requests must be refused as on the platform, not served as service_role.
    options: { server: { admin: false, disableStudio: true } },
  });
  app._storageAdapter = new FilesystemStorageAdapter(path.resolve(storageDir));
  await app.init();

  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    clearTimeout(pending);
    // DDL in a migration notifies once per statement: one reload for the burst is enough.
    pending = setTimeout(() => {
      connection.clearSchemaCache().catch((error) => log.error('schema cache reload failed', error));
    }, 20);
  };
  // onlisten also runs after a reconnect, when notifications may have been missed.
  const listener = await sql.listen('pgrst', (payload) => payload.startsWith('reload schema') && reload(), reload);

  return {
    fetch: async (request, peerAddress) => {
      const state: RequestState = { databaseUnavailable: false, held: quiet ? [] : undefined };
      const response = await requests.run(state, () => app.fetch(request, { peerAddress }));
      // Not only a 500: lite answers 404 for every table when its schema introspection lost
      // its connection. A success stands: a committed write must be acknowledged.
      if (state.databaseUnavailable && !response.ok) return databaseUnavailable();
      // A refusal (4xx) or an error the SQL raised on purpose (PTxxx) is the client's answer;
      // a failure of the stack must show.
      if (response.status >= 500) for (const args of state.held ?? []) if (!raisedOnPurpose(args)) printError(...args);
      return response;
    },
    close: async () => {
      clearTimeout(pending);
      await listener.unlisten().catch(() => {});
      await Promise.all([connection.close(), sessions.end()]);
    },
  };
}

/** A `raise sqlstate 'PT5xx'` (ID_SEQUENCE_FAILED...): the status the SQL chose, not a failure. */
function raisedOnPurpose(args: unknown[]): boolean {
  return args.some((arg) => /^PT\d{3}$/.test(String((arg as { code?: unknown } | null)?.code)));
}

/** Connections lite may hold at once, as many as its driver's pool would have. */
const SESSIONS = 10;

/**
 * While Postgres is down or restarting, lite answers whatever failed with 500 (`SUP` from the
 * Data API, `server_error` from Auth) or worse; a client should rather learn that it may retry.
 * The body has the Data API's error shape, for every path.
 */
function databaseUnavailable(): Response {
  return Response.json(
    {
      code: 'DATABASE_UNAVAILABLE',
      message: 'The database is not reachable at the moment; try again shortly.',
      details: null,
      hint: null,
    },
    { status: 503, headers: { 'retry-after': '1' } },
  );
}

/**
 * lite answers SQL errors it has no rule for (a check violation 23514, `raise exception` P0001,
 * ...) with HTTP 500 `{ code: 'SUP' }`; PostgREST answers them with their SQLSTATE and the status
 * its error table gives. lite does pass through a `PGRST` error (PostgREST's "raise with a custom
 * response"), so those errors are rewritten into one before lite maps them.
 * https://docs.postgrest.org/en/stable/references/errors.html
 */
function answerErrorsAsPostgrest(connection: { normalizeDbError(error: unknown): unknown }) {
  const normalize = connection.normalizeDbError.bind(connection);
  connection.normalizeDbError = (error) => {
    const normalized = normalize(error) as PgError | undefined;
    const status = normalized && postgrestStatus(normalized.code);
    if (!status) return normalized;
    return Object.assign(new Error(normalized.message), {
      code: 'PGRST',
      message: JSON.stringify({
        code: normalized.code,
        message: normalized.message,
        details: normalized.detail ?? null,
        hint: normalized.hint ?? null,
      }),
      detail: JSON.stringify({ status, headers: {} }),
    });
  };
}

interface PgError {
  code?: unknown;
  message: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's status for the SQLSTATEs lite does not map itself; undefined leaves lite's answer. */
function postgrestStatus(code: unknown): number | undefined {
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  // lite's own rules cover these the way PostgREST does.
  if (/^(PT|42|22|21|55|53)/.test(code) || ['23502', '23503', '23505', '25006'].includes(code)) return undefined;
  if (code === '23P01') return 409;
  if (code.startsWith('23') || code === 'P0001' || /^(F0|HV)/.test(code)) return 400;
  if (code.startsWith('28')) return 403;
  if (code.startsWith('54')) return 413;
  if (code.startsWith('P0') || /^(25|2D|38|39|3B|40|57|58|XX)/.test(code)) return 500;
  return 400;
}
