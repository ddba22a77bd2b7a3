import fs from 'node:fs';
import { importMendedLite } from './bundle.ts';
import { answerErrorsAsPostgrest } from './postgrest-errors.ts';
import { postgrestTypes } from './postgrest-types.ts';
import { setRequestContextInOneStatement } from './request-context.ts';
import { noteConnectionFailure } from './request-failures.ts';
import { RoleSettings } from './role-settings.ts';
import { leaseSessions } from './sessions.ts';

/** Connections lite may hold at once, as many as its driver's pool would have. */
const SESSIONS = 10;

/**
 * The Unix socket of the Postgres behind `dbUrl` when it runs on this machine and has one where
 * Postgres puts it by default (`/tmp/.s.PGSQL.<port>`; the embedded Postgres does, see
 * ../postgres.ts). A request writes to Postgres four times (BEGIN, its settings, its query,
 * COMMIT): over loopback TCP each write runs the kernel's TCP path for both ends and wakes the
 * backend through it. Over the socket the four take a quarter less CPU here and in the backend,
 * and 0.12 to 0.18 ms less time (bench/README.md, "Where a request's CPU goes"). PostgREST beside
 * its Postgres is run the same way, `db-uri` naming the socket's folder as `host`.
 */
export function localSocket(dbUrl: string): string | undefined {
  const { hostname, port } = new URL(dbUrl);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') return undefined;
  const socket = `/tmp/.s.PGSQL.${port || 5432}`;
  return fs.existsSync(socket) ? socket : undefined;
}

/** lite's Postgres connection, with the mends that belong to it (./index.ts lists them). */
export async function connectLite(dbUrl: string) {
  const { createPostgresConnection } = (await importMendedLite()).postgres;
  const connection = createPostgresConnection({
    url: dbUrl,
    // postgres.js connects to `path` instead of the URL's host and port; the URL names the rest.
    postgresOptions: { types: postgrestTypes, path: localSocket(dbUrl) },
  });
  const sessions = await leaseSessions(connection.driver, {
    size: SESSIONS,
    onConnectionFailure: noteConnectionFailure,
  });
  // On its first request lite would otherwise "activate RLS" by granting everything in every
  // schema with an RLS table to anon, authenticated and service_role, and altering default
  // privileges to match: that undoes the migrations' deny-by-default grants. The roles it would
  // create exist already (sql/platform/roles.sql).
  (connection as unknown as { rlsState: string }).rlsState = 'active';
  answerErrorsAsPostgrest(connection);
  // One statement per step for a request's settings, not one per setting, with the role's own.
  const roleSettings = new RoleSettings(async (text) => {
    const lease = await sessions.reserve();
    try {
      return (await lease.unsafe(text)) as unknown as Record<string, string>[];
    } finally {
      lease.release();
    }
  });
  await roleSettings.reload();
  setRequestContextInOneStatement(connection, roleSettings);
  return {
    connection,
    roleSettings,
    close: async () => {
      await Promise.all([connection.close(), sessions.end()]);
    },
  };
}
