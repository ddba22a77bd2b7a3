import postgres from 'postgres';

let client: postgres.Sql | undefined;

/**
 * A direct database connection for work the Data API cannot do (SUPABASE_DB_URL, given to every
 * function by the platform and by the local stack). It bypasses row-level security: use it for
 * trusted, internal work only, never on behalf of a user's request.
 */
export function db(): postgres.Sql {
  if (!client) {
    const url = Deno.env.get('SUPABASE_DB_URL');
    if (!url) throw new Error('SUPABASE_DB_URL is not set');
    // Functions are short-lived and many run at once: keep each one to a couple of connections.
    client = postgres(url, { max: 2, idle_timeout: 20, connect_timeout: 5, prepare: false, onnotice: () => {} });
  }
  return client;
}

/**
 * Runs `work` in a transaction that carries the user's JWT claims, as the Data API would, so
 * private functions that check the caller (`auth.uid()`, `private.require_org_role`) see this user.
 */
export function asUser<T>(
  user: { id: string; email: string | null; aal?: string },
  work: (sql: postgres.TransactionSql) => Promise<T>,
) {
  return db().begin(async (sql) => {
    // With the session's aal, an organization that requires MFA sees an aal2 caller as one.
    const claims = JSON.stringify({ sub: user.id, email: user.email, role: 'authenticated', aal: user.aal });
    await sql`select set_config('request.jwt.claims', ${claims}, true)`;
    return await work(sql);
  }) as Promise<T>;
}
