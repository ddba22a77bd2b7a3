import postgres from 'postgres';
import { afterAll } from 'vitest';
import { target } from './target.ts';

/**
 * The stack's database as its superuser: for fixtures the API cannot create and for looking
 * behind the API (cron jobs, queued requests, storage rows). Never for what a client would do.
 */
export const adminSql = postgres(target.dbUrl, {
  max: 4,
  // RAISE NOTICE from migrations and fixtures is noise in test output
  onnotice: () => {},
});

afterAll(async () => {
  await adminSql.end({ timeout: 5 });
});
