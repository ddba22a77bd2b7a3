import postgres from 'postgres';
import { afterAll } from 'vitest';
import { target } from './target.ts';

/**
 * The target database as its superuser (on hosted: `postgres`): for arranging what the API cannot
 * create and for looking behind the API (cron runs, queued requests, storage rows). Each test
 * file gets its own client and closes it when done.
 */
export const adminSql = postgres(target.dbUrl, { max: 4, onnotice: () => {} });

afterAll(() => adminSql.end({ timeout: 5 }));

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back, so it leaves nothing behind. */
export async function rolledBack<T>(fn: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await adminSql
    .begin(async (sql) => {
      result = await fn(sql);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as T;
}

export interface Claims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  email?: string;
  [claim: string]: unknown;
}

/**
 * Runs `fn` the way the Data API runs a request: in a transaction whose role and JWT claims are
 * set as PostgREST sets them (`role`, `request.jwt.claims`), rolled back afterwards.
 */
export function asRole<T>(claims: Claims, fn: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return rolledBack(async (sql) => {
    await sql`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                     set_config('role', ${claims.role}, true)`;
    return fn(sql);
  });
}
