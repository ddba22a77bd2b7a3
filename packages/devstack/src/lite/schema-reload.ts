import type postgres from 'postgres';
import type { Log } from '../log.ts';

/**
 * Like PostgREST, reloads lite's schema cache on `notify pgrst, 'reload schema'` (sent by the
 * DDL event triggers, sql/platform/schema-reload.sql), which lite itself does not listen for.
 */
export async function reloadSchemaOnNotify(
  sql: postgres.Sql,
  connection: { clearSchemaCache(): Promise<unknown> },
  log: Log,
): Promise<{ close(): Promise<void> }> {
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
    close: async () => {
      clearTimeout(pending);
      await listener.unlisten().catch(() => {});
    },
  };
}
