/**
 * lite sets a request's context (role, JWT claims, request method, path and headers) with one
 * statement per setting, each awaited in turn: eleven round trips to Postgres for an RPC, six
 * for a table read, before the request's own query. PostgREST sets them all in one statement.
 * Here they go in one `select set_config(...), ...`: the same settings, with the same values, in
 * the same order (Postgres evaluates a select list from left to right), so the request sees
 * exactly what it saw before. For a request with RPC settings (every Data API request) the
 * claims' step is held until the RPC step and sent with it, and so is read-only
 * (`transaction_read_only`, which lite would send as a third statement). The claims' step also
 * applies the settings of the request's role (./role-settings.ts), as PostgREST's statement does.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
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
  withContext(
    context: unknown,
    run: unknown,
    options?: { rpc?: RpcRequest & { readOnly?: boolean } },
  ): Promise<unknown>;
}

/** A request with RPC settings under way: what its claims' step left for the RPC step to send. */
interface Held {
  settings: [string, string][];
  readOnly: boolean;
  /** The RPC step has been sent: anything later (a nested context) sends its own. */
  sent: boolean;
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
  if (
    typeof methods.applyJwtSessionContext !== 'function' ||
    typeof methods.applyRpcRequestGucs !== 'function' ||
    typeof methods.withContext !== 'function'
  ) {
    throw new Error(
      "lite's PostgresConnection no longer has applyJwtSessionContext/applyRpcRequestGucs/withContext: re-check the mend",
    );
  }
  // withContext applies the claims' step, then the RPC step, then read-only, each awaited: the
  // request's own storage carries what the first leaves to the second.
  const held = new AsyncLocalStorage<Held>();
  const withContext = methods.withContext.bind(connection);
  methods.withContext = (context, run, options) => {
    const rpc = options?.rpc;
    if (!rpc) return withContext(context, run, options);
    const request: Held = { settings: [], readOnly: rpc.readOnly === true, sent: false };
    return held.run(request, () => withContext(context, run, { ...options, rpc: { ...rpc, readOnly: false } }));
  };
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
    const request = held.getStore();
    if (request && !request.sent) request.settings = settings;
    else await setConfigs(tx, settings);
  };
  methods.applyRpcRequestGucs = async (tx, rpc) => {
    const request = held.getStore();
    const settings: [string, string][] = [
      ...(request?.settings ?? []),
      ['response.status', ''],
      ['response.headers', ''],
      ['request.method', rpc.method],
      ['request.path', rpc.path],
      ['request.headers', JSON.stringify(rpc.requestHeaders ?? {})],
    ];
    // lite's `SET LOCAL transaction_read_only = on`, which it sends after this step.
    if (request?.readOnly) settings.push(['transaction_read_only', 'on']);
    if (request) request.sent = true;
    await setConfigs(tx, settings);
  };
}
