import { AppError } from '@westwallet/shared';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';

interface DatabaseState {
  version: string;
  database: string;
  time: string;
  latency_ms: number;
  migrations: { count: number; latest: string | null };
}

/** What a monitor (or the scheduled heartbeat) needs to know: is the database there, and at which migration. */
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

export const handler = endpoint(['GET', 'POST'], async () => {
  return json({ status: 'ok', database: await databaseState() });
});
