import { importMendedLite } from './bundle.ts';
import { answerErrorsAsPostgrest } from './postgrest-errors.ts';
import { postgrestTypes } from './postgrest-types.ts';
import { setRequestContextInOneStatement } from './request-context.ts';
import { noteConnectionFailure } from './request-failures.ts';
import { RoleSettings } from './role-settings.ts';
import { leaseSessions } from './sessions.ts';

/** Connections lite may hold at once, as many as its driver's pool would have. */
const SESSIONS = 10;

/** lite's Postgres connection, with the mends that belong to it (./index.ts lists them). */
export async function connectLite(dbUrl: string) {
  const { createPostgresConnection } = (await importMendedLite()).postgres;
  const connection = createPostgresConnection({ url: dbUrl, postgresOptions: { types: postgrestTypes } });
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
