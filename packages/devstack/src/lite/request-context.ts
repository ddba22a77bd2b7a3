/**
 * lite sets a request's context (role, JWT claims, request method, path and headers) with one
 * statement per setting, each awaited in turn: eleven round trips to Postgres for an RPC, six
 * for a table read, before the request's own query. PostgREST sets them all in one statement.
 * Here each of lite's two steps sends its settings in one `select set_config(...), ...`: the same
 * settings, with the same values, in the same order (Postgres evaluates a select list from left
 * to right), so the request sees exactly what it saw before. The first step also applies the
 * settings of the request's role (./role-settings.ts), as PostgREST's statement does.
 */

import type { RoleSettings } from './role-settings.ts';

/** The part of a Kysely transaction (or instance) used here. */
interface Executor {
  selectNoFrom(select: (eb: ExpressionBuilder) => unknown[]): { execute(): Promise<unknown> };
}
interface ExpressionBuilder {
  fn(name: string, args: unknown[]): { as(alias: string): unknown };
  val(value: string): unknown;
  lit(value: boolean): unknown;
}

/** What lite passes for a request (PostgresConnection.withContext's first argument). */
interface RequestContext {
  auth?: { role?: string; uid?: unknown; jwt?: unknown };
  storage?: { operation?: string };
}

/** What lite passes for an RPC's request settings (withContext's `rpc` option). */
interface RpcRequest {
  method: string;
  path: string;
  requestHeaders?: Record<string, string>;
}

/** lite's PostgresConnection methods this replaces (0.10.0's names and arguments). */
interface ContextMethods {
  applyJwtSessionContext(tx: Executor, context: RequestContext, setRole: boolean): Promise<void>;
  applyRpcRequestGucs(tx: Executor, rpc: RpcRequest): Promise<void>;
}

/** `select set_config(k1, v1, true), set_config(k2, v2, true), ...`: local to the transaction. */
function setConfigs(tx: Executor, settings: [string, string][]): Promise<unknown> {
  return tx
    .selectNoFrom((eb) =>
      settings.map(([key, value], i) => eb.fn('set_config', [eb.val(key), eb.val(value), eb.lit(true)]).as(`s${i}`)),
    )
    .execute();
}

export function setRequestContextInOneStatement(connection: unknown, roleSettings: RoleSettings): void {
  const methods = connection as ContextMethods;
  if (typeof methods.applyJwtSessionContext !== 'function' || typeof methods.applyRpcRequestGucs !== 'function') {
    throw new Error(
      "lite's PostgresConnection no longer has applyJwtSessionContext/applyRpcRequestGucs: re-check the mend",
    );
  }
  methods.applyJwtSessionContext = async (tx, context, setRole) => {
    const auth = context.auth;
    const role = auth?.role || 'anon';
    const settings: [string, string][] = [
      ['role', role],
      ['request.jwt.claim.sub', String(auth?.uid ?? '')],
      ['request.jwt.claim.role', role],
      ['storage.operation', String(context.storage?.operation ?? '')],
    ];
    // lite then sends `SET LOCAL ROLE <role>`, which is set_config('role', <role>, true).
    if (setRole) settings.push(['role', role]);
    if (auth?.jwt && typeof auth.jwt === 'object') settings.push(['request.jwt.claims', JSON.stringify(auth.jwt)]);
    settings.push(...roleSettings.of(role));
    await setConfigs(tx, settings);
  };
  methods.applyRpcRequestGucs = async (tx, rpc) => {
    await setConfigs(tx, [
      ['response.status', ''],
      ['response.headers', ''],
      ['request.method', rpc.method],
      ['request.path', rpc.path],
      ['request.headers', JSON.stringify(rpc.requestHeaders ?? {})],
    ]);
  };
}
