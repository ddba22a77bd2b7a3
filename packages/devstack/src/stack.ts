import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAuthFront } from './auth/index.ts';
import { type DataApi, startDataApi } from './data-api.ts';
import { connect, databaseName, dropDatabase, prepareDatabase, recreateDatabase, withDatabase } from './database.ts';
import { type FunctionsRuntime, startFunctions } from './functions.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { generateKeys, loadOrCreateKeys, type StackKeys } from './keys.ts';
import { createLog } from './log.ts';
import { type MailCatcher, startMailCatcher } from './mail/catcher.ts';
import { workersNeeded } from './platform.ts';
import { assertPortFree } from './ports.ts';
import { type RunningPostgres, startEmbeddedPostgres } from './postgres.ts';
import { readProjectConfig } from './project-config.ts';
import { type Realtime, startRealtime } from './realtime/index.ts';
import { startCronWorker } from './workers/cron.ts';
import { startNetWorker } from './workers/net.ts';

export interface StackOptions {
  /**
   * `dev` (`npm start`): state kept in `stateDir` across restarts. `test`: a throwaway cluster
   * (or a scratch database on DATABASE_URL's server) deleted on stop.
   */
  kind: 'dev' | 'test';
  stateDir: string;
  apiPort: number;
  dbPort: number;
  /** The mail catcher's web/API and SMTP ports: `[inbucket]`'s for `dev`, 0 (free ports) for `test`. */
  mailPorts?: { http: number; smtp: number };
  /** Use this Postgres server instead of starting the embedded one. */
  databaseUrl?: string;
  watchFunctions?: boolean;
  /** Secrets for edge functions on top of supabase/functions/.env (the test harness's Stripe keys). */
  functionsEnv?: Record<string, string>;
  quiet?: boolean;
  /**
   * Storage's global file size limit instead of `[storage] file_size_limit` ("5GiB"): the export
   * benchmark's million-transaction company is on a plan whose files may be larger than the free
   * plan's 50 MiB.
   */
  fileSizeLimit?: string;
}

export interface StackInfo {
  apiUrl: string;
  dbUrl: string;
  keys: StackKeys;
  /** The mail catcher's page and Mailpit-compatible API (`supabase status`'s Mailpit URL). */
  mailUrl: string;
}

export interface Stack extends StackInfo {
  stop(): Promise<void>;
}

/** Starts every part in order; if one fails, what already started is stopped again. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const quiet = options.quiet ?? false;
  const log = createLog('stack', { quiet });
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) {
      await step().catch((error) => log.error('stopping a part of the stack failed', error));
    }
    stops.length = 0;
  };

  try {
    await assertPortFree(options.apiPort, 'the API');
    fs.mkdirSync(options.stateDir, { recursive: true });
    const keys = options.kind === 'dev' ? await loadOrCreateKeys(options.stateDir) : await generateKeys();

    const dbUrl = await startDatabaseServer(options, stops, createLog('postgres', { quiet }));
    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    await prepareDatabase({
      url: dbUrl,
      log: createLog('migrations', { quiet }),
      projectUrl: apiUrl,
      secretKey: keys.secretKey,
    });

    // No array types to fetch on each (re)connection: postgres.js 3.4 leaves that query's failure
    // unhandled, which ends the process when a connection is killed while it runs.
    const sql = connect(dbUrl, { max: 6, fetch_types: false });
    stops.push(() => sql.end({ timeout: 5 }));

    const projectConfig = readProjectConfig();
    const config = options.fileSizeLimit
      ? { ...projectConfig, storage: { ...projectConfig.storage, file_size_limit: options.fileSizeLimit } }
      : projectConfig;
    const mail: MailCatcher = await startMailCatcher({
      httpPort: options.mailPorts?.http ?? (options.kind === 'dev' ? config.inbucket.port : 0),
      smtpPort: options.mailPorts?.smtp ?? (options.kind === 'dev' ? config.inbucket.smtpPort : 0),
      log: createLog('mail', { quiet }),
    });
    stops.push(() => mail.close());
    const storageDir = path.join(options.stateDir, 'storage');
    const dataApi: DataApi = await startDataApi({
      dbUrl,
      sql,
      keys,
      config,
      storageDir,
      authMail: { smtpHost: mail.smtpHost, smtpPort: mail.smtpPort, apiUrl },
      log: createLog('api', { quiet }),
      quiet,
    });
    stops.push(() => dataApi.close());

    const functions: FunctionsRuntime = await startFunctions({
      env: {
        // The app's own mail (mail-send) goes to the catcher unless the caller names a provider.
        MAIL_SMTP_HOST: mail.smtpHost,
        MAIL_SMTP_PORT: String(mail.smtpPort),
        ...options.functionsEnv,
        SUPABASE_URL: apiUrl,
        SUPABASE_ANON_KEY: keys.publishableKey,
        SUPABASE_SERVICE_ROLE_KEY: keys.secretKey,
        SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
        SUPABASE_SECRET_KEY: keys.secretKey,
        SUPABASE_DB_URL: dbUrl,
      },
      disabled: Object.entries(config.functions)
        .filter(([, settings]) => settings.enabled === false)
        .map(([name]) => name),
      watch: options.watchFunctions ?? false,
      log: createLog('functions', { quiet }),
    });
    stops.push(() => functions.stop());

    const realtime: Realtime = await startRealtime({ dbUrl, keys, log: createLog('realtime', { quiet }) });
    stops.push(() => realtime.close());

    const gateway: Gateway = await startGateway({
      port: options.apiPort,
      dataApi,
      functions,
      auth: createAuthFront({
        sql,
        keys,
        auth: config.auth,
        rateLimits: config.authRateLimit,
        sendInvite: dataApi.sendInvite,
        send: (request) => dataApi.fetch(request, null),
      }),
      jwtSecret: keys.jwtSecret,
      storageDir,
      realtime,
      log,
    });
    stops.push(() => gateway.close());

    const needed = await workersNeeded(sql);
    if (needed.cron) {
      const cron = startCronWorker({ sql, log: createLog('cron', { quiet }).info });
      stops.push(() => cron.stop());
    }
    if (needed.net) {
      const net = startNetWorker({ sql, log: createLog('net', { quiet }).info });
      stops.push(() => net.stop());
    }

    return { apiUrl: gateway.url, dbUrl, keys, mailUrl: mail.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Returns the superuser URL of the database the stack serves, registering how to stop it. */
async function startDatabaseServer(
  options: StackOptions,
  stops: Array<() => Promise<unknown>>,
  log: ReturnType<typeof createLog>,
): Promise<string> {
  if (options.databaseUrl && options.kind === 'dev') return options.databaseUrl;
  if (options.databaseUrl) {
    const scratch = `westwallet_test_${randomBytes(4).toString('hex')}`;
    await recreateDatabase(options.databaseUrl, scratch);
    stops.push(() => dropDatabase(options.databaseUrl as string, scratch));
    return withDatabase(options.databaseUrl, scratch);
  }
  const dataDir = path.join(options.stateDir, 'db');
  const server: RunningPostgres = await startEmbeddedPostgres({
    dataDir,
    port: options.dbPort,
    throwaway: options.kind === 'test',
    log,
  });
  stops.push(() => server.stop());
  log.info(`Postgres listening on port ${options.dbPort} (database ${databaseName(server.url)})`);
  return server.url;
}
