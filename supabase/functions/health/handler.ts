import { AppError } from '@westwallet/shared';
import { hasSecretKey } from '../_shared/auth.ts';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';

interface DatabaseState {
  version: string;
  database: string;
  time: string;
  latency_ms: number;
  migrations: { count: number; latest: string | null };
}

/** Whether the database answers, and for an operator's monitor: which database, at which migration. */
async function databaseState(): Promise<DatabaseState> {
  const started = performance.now();
  try {
    const [row] = await db()<
      { version: string; database: string; time: Date; count: number; latest: string | null }[]
    >`
      select current_setting('server_version') as version,
             current_database() as database,
             now() as time,
             (select count(*)::int from supabase_migrations.schema_migrations) as count,
             (select max(version) from supabase_migrations.schema_migrations) as latest`;
    return {
      version: row.version,
      database: row.database,
      time: row.time.toISOString(),
      latency_ms: Math.round(performance.now() - started),
      migrations: { count: row.count, latest: row.latest },
    };
  } catch (error) {
    console.error('health: the database did not answer', error);
    throw new AppError('DATABASE_UNAVAILABLE', 'The database did not answer.');
  }
}

/**
 * Anyone may ask whether the service is up (200 `{ status: 'ok' }`, or 503 DATABASE_UNAVAILABLE);
 * only a caller with the secret key learns the database's version, name and migrations, which
 * would tell an attacker what to try.
 */
export const handler = endpoint(['GET', 'POST'], async (request) => {
  const database = await databaseState();
  return json(await hasSecretKey(request) ? { status: 'ok', database } : { status: 'ok' });
});
