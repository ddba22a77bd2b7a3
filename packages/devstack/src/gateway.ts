import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { DataApi } from './data-api.ts';
import type { FunctionsRuntime } from './functions.ts';
import type { Log } from './log.ts';

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

const FUNCTIONS_PREFIX = '/functions/v1';
/** Signing one object's download URL (`createSignedUrl`). */
const SIGN_ONE = /^\/storage\/v1\/object\/sign\/[^/]+\/.+/;

/**
 * The one address clients use, like the platform's API gateway: /functions/v1 goes to the Deno
 * runtime, everything else (/rest/v1, /auth/v1, /storage/v1) to the Data API.
 */
export async function startGateway(options: {
  port: number;
  dataApi: DataApi;
  functions: FunctionsRuntime;
  log: Log;
}): Promise<Gateway> {
  const { dataApi, functions, log } = options;
  const handle = async (request: Request, peerAddress: string | null): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === FUNCTIONS_PREFIX || pathname.startsWith(`${FUNCTIONS_PREFIX}/`)) {
      return functions.fetch(request, pathname.slice(FUNCTIONS_PREFIX.length) || '/');
    }
    const response = await dataApi.fetch(await normalizeStorageUpload(request), peerAddress);
    return request.method === 'POST' && SIGN_ONE.test(pathname) ? answerSignedUrl(response) : response;
  };

  const server = serve({
    port: options.port,
    hostname: '127.0.0.1',
    fetch: async (request, env: { incoming: { socket: { remoteAddress?: string } } }) => {
      try {
        return await handle(request, env.incoming.socket.remoteAddress ?? null);
      } catch (error) {
        log.error(`${request.method} ${new URL(request.url).pathname} failed`, error);
        return Response.json(
          { error: { code: 'INTERNAL_ERROR', message: 'The local stack failed.' } },
          { status: 500 },
        );
      }
    },
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

/**
 * supabase-js (storage-js) uploads a Blob or File as multipart form data with an unnamed file
 * field, which @supabase/lite rejects ("Missing file in multipart upload"): browsers always
 * upload that way, so rename the field before lite sees it.
 */
async function normalizeStorageUpload(request: Request): Promise<Request> {
  const type = request.headers.get('content-type') ?? '';
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith('/storage/v1/object/') || !type.startsWith('multipart/form-data')) return request;
  const form = await request.formData();
  const normalized = new FormData();
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string' && name !== 'file') normalized.append('file', value, value.name);
    else normalized.append(name, value);
  }
  const headers = new Headers(request.headers);
  headers.delete('content-type');
  headers.delete('content-length');
  return new Request(request.url, { method: request.method, headers, body: normalized });
}

/**
 * Storage answers a signing request with `signedURL`, relative to /storage/v1 (storage-js builds
 * the full URL from it); lite answers `signedUrl` with the prefix, which storage-js ignores and
 * hands out ".../storage/v1undefined". Rewrite lite's answer into the Storage API's.
 */
async function answerSignedUrl(response: Response): Promise<Response> {
  if (!response.ok) return response;
  const { signedUrl } = (await response.json()) as { signedUrl: string };
  const mended = { signedURL: signedUrl.replace(/^\/storage\/v1/, '') };
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return Response.json(mended, { status: response.status, headers });
}
