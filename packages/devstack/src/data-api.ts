import path from 'node:path';
import type postgres from 'postgres';
import type { StackKeys } from './keys.ts';
import {
  AuthMailer,
  connectLite,
  FilesystemStorageAdapter,
  holdErrorsOfQuietRequests,
  importMendedLite,
  reloadSchemaOnNotify,
  serveRequest,
} from './lite/index.ts';
import type { Log } from './log.ts';
import type { ProjectConfig } from './project-config.ts';

export interface DataApi {
  fetch(request: Request, peerAddress: string | null): Promise<Response>;
  /** Mails an invitation with the invite template, for the Auth front's admin API (lite has no invite flow). */
  sendInvite(email: string, tokenHash: string, meta: { userId: string; redirectTo: string }): Promise<void>;
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
  /** Where Auth's emails go (the stack's catcher), and the API URL their links point at. */
  authMail: { smtpHost: string; smtpPort: number; apiUrl: string };
  /** Print what lite logs while serving a request only when the request fails with a 5xx. */
  quiet?: boolean;
}

/**
 * The Data API (/rest/v1), Auth (/auth/v1) and Storage (/storage/v1), served by @supabase/lite on
 * its Postgres driver, with the mends of ./lite/index.ts that make it answer as the platform does.
 */
export async function startDataApi(options: DataApiOptions): Promise<DataApi> {
  const { dbUrl, sql, keys, config, storageDir, authMail, log, quiet = false } = options;
  const { App, SmtpEmailDriver, setExperimental } = (await importMendedLite()).lite;
  setExperimental('storage', true);
  if (quiet) holdErrorsOfQuietRequests();
  const lite = await connectLite(dbUrl);
  const app = new App({
    connection: lite.connection,
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
  const mailer = new AuthMailer({
    driver: new SmtpEmailDriver({
      host: authMail.smtpHost,
      port: authMail.smtpPort,
      from: { name: config.inbucket.senderName, address: config.inbucket.adminEmail },
      requireTls: false,
    }),
    apiUrl: authMail.apiUrl,
    siteUrl: config.auth.site_url ?? 'http://127.0.0.1:3000',
    templates: config.authTemplates,
    sql,
  });
  app._mailer = mailer;
  await app.init();
  const reloads = await reloadSchemaOnNotify(sql, lite, log);

  return {
    fetch: (request, peerAddress) => serveRequest(() => app.fetch(request, { peerAddress }), { quiet }),
    sendInvite: (email, tokenHash, meta) => mailer.sendInvite(email, tokenHash, meta),
    close: async () => {
      await reloads.close();
      await lite.close();
    },
  };
}
