import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkedAgainst, connectLite, localSocket, mends, reloadSchemaOnNotify } from '@westwallet/devstack/lite';
import { createLog } from '@westwallet/devstack/log';
import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const devstack = path.join(repo, 'packages/devstack');

/** The list of lite's mends is what an upgrade of lite re-checks: it must stay true. */
describe("the list of @supabase/lite's mends", () => {
  it('was checked against the version of lite the devstack pins', () => {
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(devstack, 'package.json'), 'utf8'));
    expect(
      dependencies['@supabase/lite'],
      'lite was upgraded: re-check every mend in packages/devstack/src/lite/index.ts, then update checkedAgainst',
    ).toBe(checkedAgainst);
  });

  it('names files that exist and tests that do', () => {
    for (const mend of mends) {
      for (const file of mend.where) expect(fs.existsSync(path.join(devstack, file)), file).toBe(true);
      const [file, name] = mend.test.split(' › ');
      const text = fs.readFileSync(path.join(repo, file), 'utf8');
      expect(text.includes(name), `${file} has no test named "${name}"`).toBe(true);
    }
  });

  it('lists a mend for every module of src/lite', () => {
    const listed = new Set(mends.flatMap((mend) => mend.where));
    const modules = fs.readdirSync(path.join(devstack, 'src/lite')).filter((file) => file !== 'index.ts');
    for (const module of modules) expect(listed.has(`src/lite/${module}`), module).toBe(true);
  });
});

/** lite's PostgresConnection as the mend of src/lite/request-context.ts sees it (0.10.0). */
interface LiteInternals {
  kysely: {
    withPlugin(plugin: {
      transformQuery(args: { node: { kind: string } }): unknown;
      transformResult(args: { result: unknown }): Promise<unknown>;
    }): LiteInternals['kysely'];
  };
  withContext(
    context: { auth: { role: string; uid: string; jwt: Record<string, unknown> } },
    run: (tx: {
      selectNoFrom(
        select: (eb: {
          fn(name: string, args: unknown[]): { as(alias: string): unknown };
          val(value: string): unknown;
          lit(value: boolean): unknown;
        }) => unknown[],
      ): { executeTakeFirstOrThrow(): Promise<Record<string, string>> };
    }) => Promise<Record<string, string>>,
    options: {
      forceRollback: boolean;
      rpc: { method: string; path: string; requestHeaders: Record<string, string>; readOnly: boolean };
    },
  ): Promise<Record<string, string>>;
}

describe("lite's connection", () => {
  it("sets a request's context in one statement, with the values lite sets", async () => {
    const lite = await connectLite(target.dbUrl);
    try {
      const connection = lite.connection as unknown as LiteInternals;
      // Every statement lite sends through its query builder, raw SQL included, passes here.
      const statements: string[] = [];
      connection.kysely = connection.kysely.withPlugin({
        transformQuery: ({ node }) => {
          statements.push(node.kind);
          return node;
        },
        transformResult: async ({ result }) => result,
      });
      const uid = '00000000-0000-4000-8000-000000000001';
      const jwt = { sub: uid, role: 'authenticated', aud: 'authenticated', session_id: 'abc' };
      const keys = [
        'role',
        'request.jwt.claim.sub',
        'request.jwt.claim.role',
        'storage.operation',
        'request.jwt.claims',
        'response.status',
        'response.headers',
        'request.method',
        'request.path',
        'request.headers',
        'transaction_read_only',
      ];
      const seen = await connection.withContext(
        { auth: { role: 'authenticated', uid, jwt } },
        (tx) =>
          tx
            .selectNoFrom((eb) => keys.map((key) => eb.fn('current_setting', [eb.val(key)]).as(key)))
            .executeTakeFirstOrThrow(),
        {
          forceRollback: true,
          rpc: { method: 'POST', path: '/rpc/dashboard', requestHeaders: { 'x-test': '1' }, readOnly: true },
        },
      );
      expect(seen).toEqual({
        role: 'authenticated',
        'request.jwt.claim.sub': uid,
        'request.jwt.claim.role': 'authenticated',
        'storage.operation': '',
        'request.jwt.claims': JSON.stringify(jwt),
        'response.status': '',
        'response.headers': '',
        'request.method': 'POST',
        'request.path': '/rpc/dashboard',
        'request.headers': JSON.stringify({ 'x-test': '1' }),
        transaction_read_only: 'on',
      });
      // The context, the RPC's settings and read-only, then the query: lite alone sends 5 + 5 + 1 + 1.
      expect(statements).toHaveLength(2);
    } finally {
      await lite.close();
    }
  });

  it('talks to a Postgres on this machine through its Unix socket', async () => {
    // The embedded Postgres keeps its socket where Postgres does by default; a remote one has none here.
    const [{ unix_socket_directories: folders }] = await adminSql<{ unix_socket_directories: string }[]>`
      show unix_socket_directories`;
    const { hostname } = new URL(target.dbUrl);
    const local =
      (hostname === '127.0.0.1' || hostname === 'localhost') && folders.split(',').some((f) => f.trim() === '/tmp');
    expect(localSocket(target.dbUrl) !== undefined).toBe(local);
    const lite = await connectLite(target.dbUrl);
    try {
      // A request's own session: the one its BEGIN, settings, query and COMMIT go to.
      const { address } = await (lite.connection as unknown as LiteInternals).withContext(
        { auth: { role: 'authenticated', uid: '00000000-0000-4000-8000-000000000001', jwt: { exp: 2e9 } } },
        (tx) =>
          tx
            .selectNoFrom((eb) => [
              eb.fn('coalesce', [eb.fn('host', [eb.fn('inet_client_addr', [])]), eb.val('unix')]).as('address'),
            ])
            .executeTakeFirstOrThrow(),
        { forceRollback: true, rpc: { method: 'GET', path: '/rpc/probe', requestHeaders: {}, readOnly: true } },
      );
      // inet_client_addr() is null on a Unix socket.
      if (local) expect(address).toBe('unix');
      else expect(address).not.toBe('unix');
    } finally {
      await lite.close();
    }
  });

  it("applies the settings of the request's role as PostgREST does, read again on 'reload config'", async () => {
    const lite = await connectLite(target.dbUrl);
    const reloads = await reloadSchemaOnNotify(adminSql, lite, createLog('lite-mends-test'));
    // A custom setting of service_role's own: it changes nothing for the suites running meanwhile.
    const probe = `westwallet.probe_${randomUUID().slice(0, 8)}`;
    const settingsOf = (role: string) =>
      (lite.connection as unknown as LiteInternals).withContext(
        { auth: { role, uid: '00000000-0000-4000-8000-000000000001', jwt: { role, exp: 2e9 } } },
        (tx) =>
          tx
            .selectNoFrom((eb) => [
              eb.fn('current_setting', [eb.val('plan_cache_mode')]).as('plan_cache_mode'),
              eb.fn('current_setting', [eb.val(probe), eb.lit(true)]).as('probe'),
            ])
            .executeTakeFirstOrThrow(),
        {
          forceRollback: true,
          rpc: { method: 'GET', path: '/rpc/probe', requestHeaders: {}, readOnly: true },
        },
      );
    try {
      // supabase/schemas/00_platform/0003_api_roles.sql: signed-in users plan with generic plans.
      expect(await settingsOf('authenticated')).toMatchObject({ plan_cache_mode: 'force_generic_plan' });
      expect(await settingsOf('anon')).toMatchObject({ plan_cache_mode: 'auto' });
      await adminSql.unsafe(`alter role service_role set "${probe}" = 'on'`);
      await adminSql`notify pgrst, 'reload config'`;
      await expect.poll(async () => (await settingsOf('service_role')).probe, { timeout: 5000 }).toBe('on');
    } finally {
      await adminSql.unsafe(`alter role service_role reset "${probe}"`);
      await reloads.close();
      await lite.close();
    }
  });
});
