import postgres from 'postgres';

/** postgres.js and Postgres codes for a lost or refused connection, as opposed to a failed statement. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'SESSION_LOST',
]);

/**
 * Whether an error says the database could not be reached: the connection failed or was lost,
 * or Postgres ended the session (FATAL: shut down, starting up, not accepting connections...).
 */
export function isConnectionFailure(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  return typeof code === 'string' && (CONNECTION_CODES.has(code) || /^(08|57P0)/.test(code));
}

/** One session, leased for one query or transaction. */
export interface Lease {
  unsafe(text: string, parameters?: postgres.ParameterOrJSON<never>[]): Promise<postgres.RowList<postgres.Row[]>>;
  release(): void;
}

interface Session {
  sql: postgres.Sql;
  /** The connection closed since the current lease began: its transaction and settings are gone. */
  lost: boolean;
}

export interface SessionLeasesOptions {
  /** How many sessions may be leased at once (the driver's pool size). */
  size: number;
  /** Told about every query that failed because the database could not be reached. */
  onConnectionFailure: (error: unknown) => void;
}

/**
 * Replaces the driver's `reserve()` (how lite's Kysely dialect pins one connection per query or
 * transaction) with leases of one-connection pools.
 *
 * postgres.js 3.4 crashes the process when a reserved connection whose backend died is used
 * again: the write is deferred to a `setImmediate` that calls `write` on the socket it nulled on
 * close, an uncaught TypeError (porsager/postgres#1208, unfixed in 3.4.10). Kysely always does
 * use it again, for the ROLLBACK after the failed statement, and releasing it hands the
 * socketless connection back to the pool for the next request. A pool of one connection has no
 * such path: it reconnects by itself on its next query, and its `onclose` says exactly which
 * lease lost its session, so the rest of that lease's transaction fails instead of running
 * outside it (as the superuser, without the request's role).
 *
 * A session whose connection failed during a lease is retired, not leased again, and the rest of
 * that lease fails at once. postgres.js 3.4 rejects the queries under way when the socket errs
 * (ECONNRESET), but a query sent after that and before the socket's close is never answered or
 * rejected: Kysely's ROLLBACK after a failed COMMIT hung its request for good, and the stale query
 * would have confused the pool's next connection (its stale query is porsager/postgres#1130).
 */
export async function leaseSessions(
  driver: postgres.Sql,
  options: SessionLeasesOptions,
): Promise<{ reserve(): Promise<Lease>; end(): Promise<void> }> {
  // The sessions parse arrays with the parsers the driver fetches on its first connection (its
  // options are theirs): a session fetching them itself would leave an unhandled rejection when
  // its connection is killed during the fetch (postgres.js 3.4 does not catch it).
  await driver`select 1`;
  const sessions: Session[] = [];
  const idle: Session[] = [];
  const waiting: Array<(session: Session) => void> = [];

  const open = (): Session => {
    const session: Session = { lost: false, sql: undefined as unknown as postgres.Sql };
    // The driver's parsed options (lite's types, time zone, credentials), which postgres() takes
    // back as its own listen() does; no lifetime limit, which would end a session inside a
    // transaction.
    session.sql = postgres({
      ...driver.options,
      max: 1,
      max_lifetime: null,
      fetch_types: false,
      // As PostgREST: a function's notices are not the API's to print.
      onnotice: () => {},
      onclose: () => {
        session.lost = true;
      },
    } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
    sessions.push(session);
    return session;
  };
  const take = async (): Promise<Session> =>
    idle.pop() ?? (sessions.length < options.size ? open() : await new Promise<Session>((r) => waiting.push(r)));
  const retire = (session: Session) => {
    sessions.splice(sessions.indexOf(session), 1);
    session.sql.end({ timeout: 0 }).catch(() => {});
  };
  const give = (session: Session) => {
    if (session.lost) retire(session);
    const next = waiting.shift();
    if (next) next(session.lost ? open() : session);
    else if (!session.lost) idle.push(session);
  };

  const reserve = async (): Promise<Lease> => {
    const session = await take();
    session.lost = false;
    return {
      unsafe: async (text: string, parameters?: postgres.ParameterOrJSON<never>[]) => {
        try {
          if (session.lost)
            throw Object.assign(new Error('the database connection was lost'), { code: 'SESSION_LOST' });
          return await session.sql.unsafe(text, parameters);
        } catch (error) {
          if (isConnectionFailure(error)) {
            session.lost = true;
            options.onConnectionFailure(error);
          }
          throw error;
        }
      },
      release: () => give(session),
    };
  };
  Object.assign(driver, { reserve });

  return {
    reserve,
    end: async () => {
      await Promise.all(sessions.map((session) => session.sql.end({ timeout: 5 })));
    },
  };
}
