import type { AddressInfo } from 'node:net';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import type { AuthFront } from './auth/index.ts';
import type { DataApi } from './data-api.ts';
import type { FunctionsRuntime } from './functions.ts';
import {
  answerStorageError,
  checkRequestLimits,
  isStoragePath,
  mendTooManyValues,
  refuseUntrustedToken,
  resumableUploads,
  serveStorage,
} from './lite/index.ts';
import type { Log } from './log.ts';
import { REALTIME_PREFIX, type Realtime } from './realtime/index.ts';

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

const FUNCTIONS_PREFIX = '/functions/v1';

/**
 * Whether a mend answered the request itself. Not `instanceof Response`: @hono/node-server puts
 * its own class in the global `Response`, which `Response.json()` does not return.
 */
function isAnswer(value: Request | Response): value is Response {
  return 'status' in value;
}

/**
 * The one address clients use, like the platform's API gateway: /functions/v1 goes to the Deno
 * runtime, /realtime/v1 (WebSocket upgrades and its API) to the Realtime server, /auth/v1 to the
 * Auth front (auth/index.ts, which hands lite what it serves as GoTrue does), everything else
 * (/rest/v1, /storage/v1) to the Data API, only for tokens of the API's roles, within the
 * request limits lite lacks and with Storage's answers where lite's differ (lite/index.ts lists
 * both among lite's mends).
 */
export async function startGateway(options: {
  port: number;
  dataApi: DataApi;
  functions: FunctionsRuntime;
  /** Auth beyond lite, in front of it for /auth/v1. */
  auth: AuthFront;
  /** Signs the tokens of Storage's signed URLs. */
  jwtSecret: string;
  /** lite's object root, where resumable uploads gather too. */
  storageDir: string;
  /** /realtime/v1: its WebSocket upgrades and its HTTP API. */
  realtime: Realtime;
  log: Log;
}): Promise<Gateway> {
  const { dataApi, functions, auth, jwtSecret, realtime, log } = options;
  const resumable = resumableUploads({
    storageDir: options.storageDir,
    send: (request) => dataApi.fetch(request, null),
    storageError: answerStorageError,
  });
  const handle = async (request: Request, { incoming }: HttpBindings | Http2Bindings): Promise<Response> => {
    const peerAddress = incoming.socket.remoteAddress ?? null;
    const { pathname } = new URL(request.url);
    if (pathname === FUNCTIONS_PREFIX || pathname.startsWith(`${FUNCTIONS_PREFIX}/`)) {
      return functions.fetch(request, pathname.slice(FUNCTIONS_PREFIX.length) || '/');
    }
    if (pathname.startsWith(`${REALTIME_PREFIX}/api/`)) return realtime.fetch(request);
    const checked = await checkRequestLimits(request, incoming);
    if (isAnswer(checked)) return checked;
    if (auth.handles(pathname)) return auth.serve(checked, peerAddress);
    const send = (mended: Request) => dataApi.fetch(mended, peerAddress);
    const storage = isStoragePath(pathname);
    const untrusted = refuseUntrustedToken(checked, storage ? 'storage' : 'rest');
    if (untrusted) return untrusted;
    if (storage) return serveStorage(checked, { jwtSecret, send, resumable });
    return mendTooManyValues(checked, await send(checked));
  };

  const server = serve({
    port: options.port,
    hostname: '127.0.0.1',
    fetch: async (request, env: HttpBindings | Http2Bindings) => {
      try {
        return await handle(request, env);
      } catch (error) {
        log.error(`${request.method} ${new URL(request.url).pathname} failed`, error);
        return Response.json(
          { error: { code: 'INTERNAL_ERROR', message: 'The local stack failed.' } },
          { status: 500 },
        );
      }
    },
  });
  server.on('upgrade', (request, socket, head) => {
    if (!realtime.upgrade(request, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would otherwise hold close() open.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
