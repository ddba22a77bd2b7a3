import path from 'node:path';
import { App, setExperimental } from '@supabase/lite';
import { createPostgresConnection } from '@supabase/lite/postgres';
import type postgres from 'postgres';
import type { StackKeys } from './keys.ts';
import type { Log } from './log.ts';
import type { ProjectConfig } from './project-config.ts';
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
}

/**
 * The Data API (/rest/v1), Auth (/auth/v1) and Storage (/storage/v1), served by @supabase/lite on
 * its Postgres driver. Like PostgREST it reloads its schema cache on `notify pgrst, 'reload schema'`
 * (sent by the DDL event triggers), which lite itself does not listen for.
 */
export async function startDataApi(options: DataApiOptions): Promise<DataApi> {
  const { dbUrl, sql, keys, config, storageDir, log } = options;
  setExperimental('storage', true);
  const connection = createPostgresConnection({ url: dbUrl });
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
    fetch: (request, peerAddress) => app.fetch(request, { peerAddress }),
    close: async () => {
      clearTimeout(pending);
      await listener.unlisten().catch(() => {});
      await connection.close();
    },
  };
}
