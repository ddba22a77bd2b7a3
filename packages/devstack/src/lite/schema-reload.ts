import type postgres from 'postgres';
import type { Log } from '../log.ts';

/** What a reload refreshes: lite's schema cache and the API roles' settings (./role-settings.ts). */
interface Reloadable {
  connection: { clearSchemaCache(): Promise<unknown> };
  roleSettings: { reload(): Promise<void> };
}

/**
 * Like PostgREST, reloads lite's schema cache on `notify pgrst, 'reload schema'` (sent by the
 * DDL event triggers, sql/platform/schema-reload.sql), which lite itself does not listen for, and
 * the roles' settings on `reload config` (`alter role ... set` fires no event trigger) and with
 * the schema.
 */
export async function reloadSchemaOnNotify(
  sql: postgres.Sql,
  lite: Reloadable,
  log: Log,
): Promise<{ close(): Promise<void> }> {
  const pending = new Map<string, NodeJS.Timeout>();
  // DDL in a migration notifies once per statement: one reload for the burst is enough.
  const debounce = (key: string, reload: () => Promise<unknown>) => {
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        reload().catch((error) => log.error(`${key} reload failed`, error));
      }, 20),
    );
  };
  const reloadSchema = () => {
    debounce('schema cache', () => lite.connection.clearSchemaCache());
    debounce('role settings', () => lite.roleSettings.reload());
  };
  const listener = await sql.listen(
    'pgrst',
    (payload) => {
      if (payload.startsWith('reload schema')) reloadSchema();
      else if (payload.startsWith('reload config')) debounce('role settings', () => lite.roleSettings.reload());
    },
    // onlisten also runs after a reconnect, when notifications may have been missed.
    reloadSchema,
  );
  return {
    close: async () => {
      for (const timer of pending.values()) clearTimeout(timer);
      await listener.unlisten().catch(() => {});
    },
  };
}
