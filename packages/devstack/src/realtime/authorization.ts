import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { Claims } from './tokens.ts';

/** What the policies on realtime.messages allow one user on one topic; undefined = not checked yet. */
export interface Policies {
  broadcast: { read?: boolean; write?: boolean };
  presence: { read?: boolean; write?: boolean };
}

export type Extension = 'broadcast' | 'presence';

/** Ends a transaction with ROLLBACK while handing its result out. */
class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back');
  }
}

export async function rolledBack<T>(sql: postgres.Sql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  try {
    await sql.begin(async (tx) => {
      throw new RolledBack(await work(tx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the transaction always rolls back');
}

/** Sets what the policies read, as Realtime.Tenants.Authorization.set_conn_config does. */
export async function actAs(tx: postgres.TransactionSql, topic: string, claims: Claims): Promise<void> {
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  await tx`
    select set_config('role', ${claims.role}, true),
           set_config('realtime.topic', ${topic}, true),
           set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
           set_config('request.jwt.claim.sub', ${sub}, true),
           set_config('request.jwt.claim.role', ${claims.role}, true),
           set_config('request.headers', '{}', true)`;
}

/**
 * Read access the platform's way: probe rows for each extension are inserted (as the owner), then
 * selected back under the user's role and claims with `realtime.topic` set; a row the policies
 * let through is read access. Everything is rolled back. A policy that fails (an unknown role,
 * a broken function) counts as no access.
 */
export async function readPolicies(
  sql: postgres.Sql,
  topic: string,
  claims: Claims,
  extensions: Extension[],
  policies: Policies,
): Promise<Policies> {
  const probes = extensions.map((extension) => ({ extension, id: randomUUID() }));
  const visible = await rolledBack(sql, async (tx) => {
    for (const probe of probes) {
      await tx`insert into realtime.messages (id, topic, extension) values (${probe.id}, ${topic}, ${probe.extension})`;
    }
    await actAs(tx, topic, claims);
    const rows = await tx<{ id: string }[]>`
      select id::text from realtime.messages where id::text in ${tx(probes.map((p) => p.id))}`;
    return new Set(rows.map((row) => row.id));
  }).catch(() => new Set<string>());
  const next = structuredClone(policies);
  for (const probe of probes) next[probe.extension].read = visible.has(probe.id);
  return next;
}

/**
 * Write access: an insert into realtime.messages under the user's role and claims, in a
 * savepoint, rolled back; refused by row-level security (42501) means no access.
 */
export async function writePolicies(
  sql: postgres.Sql,
  topic: string,
  claims: Claims,
  extensions: Extension[],
  policies: Policies,
): Promise<Policies> {
  const next = structuredClone(policies);
  await rolledBack(sql, async (tx) => {
    await actAs(tx, topic, claims);
    for (const extension of extensions) {
      next[extension].write = await tx
        .savepoint((sp) => sp`insert into realtime.messages (topic, extension) values (${topic}, ${extension})`)
        .then(
          () => true,
          () => false,
        );
    }
  }).catch(() => {
    for (const extension of extensions) next[extension].write = false;
  });
  return next;
}
