import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { connect } from '@westwallet/devstack/database';
import { localSocket } from '@westwallet/devstack/lite';
import type postgres from 'postgres';

/**
 * `from('organizations').select('id, name').eq('id', id)` as PostgREST shapes it: what the
 * database baseline of the simple GET runs (api.ts), and the floor too.
 */
export function organizationById(id: string) {
  return (tx: postgres.TransactionSql) => tx`
    with pgrst_source as (select o.id, o.name from public.organizations o where o.id = ${id}::uuid)
    select null::bigint as total_result_set, pg_catalog.count(_postgrest_t) as page_total,
           coalesce(json_agg(_postgrest_t), '[]')::text as body
    from (select * from pgrst_source) _postgrest_t`;
}

/**
 * The least a Data API on Node spends on the simple GET, for `--api` to set beside the stack's:
 * @hono/node-server (the stack's own server) answering
 * `GET /rest/v1/organizations?select=id,name&id=eq.<uuid>` with postgres.js over the same Unix
 * socket, running what PostgREST runs for it: BEGIN, the request's settings in one statement
 * (role, claims, the role's own settings), the query as PostgREST shapes it, with the body built
 * in Postgres, and COMMIT. It reads the token's claims without checking the signature (the stack
 * checks a token once and keeps it, bench/README.md) and parses no other URL: a floor, not a
 * Data API.
 */
export async function startFloor(
  databaseUrl: string,
  roleSettings: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const sql = connect(databaseUrl, { max: 10, path: localSocket(databaseUrl) });
  // The request's settings, the role's own among them, in one statement as PostgREST sends them.
  const settings = [
    ['role', 'authenticated'],
    ['request.method', 'GET'],
    ['request.path', '/organizations'],
    ...Object.entries(roleSettings),
  ];
  const setConfigs = `select ${[...settings, ['request.jwt.claims', '']]
    .map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`)
    .join(', ')}`;
  const server = serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url);
      const id = url.searchParams.get('id')?.replace(/^eq\./, '');
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      const claims = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
      if (url.pathname !== '/rest/v1/organizations' || !id || !claims) return new Response(null, { status: 404 });
      const [{ body }] = await sql.begin('isolation level read committed read only', async (tx) => {
        await tx.unsafe(setConfigs, [...settings, ['request.jwt.claims', claims]].flat());
        return organizationById(id)(tx);
      });
      return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8' } });
    },
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.end({ timeout: 1 });
    },
  };
}
