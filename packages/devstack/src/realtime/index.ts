import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { connect } from '../database.ts';
import type { StackKeys } from '../keys.ts';
import type { Log } from '../log.ts';
import { Hub } from './hub.ts';
import { serveBroadcastApi } from './rest.ts';
import { ClientSocket } from './socket.ts';
import { tokenVerifier } from './tokens.ts';
import { startWalSource, type WalSource } from './wal.ts';

export const REALTIME_PREFIX = '/realtime/v1';
/** The largest frame a client may send: the platform's default payload limit, 3 MB. */
const MAX_FRAME_BYTES = 3_000_000;

export interface Realtime {
  /** Serves /realtime/v1/api/*. */
  fetch(request: Request): Promise<Response>;
  /** Takes over an HTTP upgrade of /realtime/v1/websocket; false for any other path. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

/**
 * The local Realtime server: the Phoenix channel protocol realtime-js speaks on
 * /realtime/v1/websocket, its HTTP broadcast API, and deliveries read from the WAL. See
 * docs/realtime.md for what it does and does not do.
 */
export async function startRealtime(options: { dbUrl: string; keys: StackKeys; log: Log }): Promise<Realtime> {
  const { log } = options;
  // Its own few connections: authorization probes and RLS checks must not queue behind the Data API.
  const sql = connect(options.dbUrl, { max: 4, fetch_types: false });
  const hub = new Hub(sql, log);
  const tokens = tokenVerifier(options.keys);
  let wal: WalSource;
  try {
    wal = await startWalSource({ dbUrl: options.dbUrl, sql, onTransaction: (t) => hub.onTransaction(t), log });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const sockets = new Set<ClientSocket>();

  const refuse = (socket: Duplex, status: number, message: string) => {
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  return {
    fetch: (request) =>
      serveBroadcastApi(request, new URL(request.url).pathname.slice(`${REALTIME_PREFIX}/api`.length), {
        sql,
        hub,
        tokens,
      }),
    upgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== `${REALTIME_PREFIX}/websocket` && url.pathname !== `${REALTIME_PREFIX}/websocket/`) {
        return false;
      }
      socket.on('error', () => socket.destroy());
      const vsn = url.searchParams.get('vsn') ?? '1.0.0';
      if (vsn !== '1.0.0' && vsn !== '2.0.0') {
        refuse(socket, 400, `Unsupported serializer version: ${vsn}`);
        return true;
      }
      const header = request.headers['x-api-key'];
      const apiKey = (typeof header === 'string' ? header : url.searchParams.get('apikey')) ?? '';
      tokens
        .verify(apiKey)
        .then((checked) => {
          if (!checked.ok) return refuse(socket, 401, checked.message);
          server.handleUpgrade(request, socket, head, (ws) => {
            const client = new ClientSocket(ws, vsn, apiKey, { sql, hub, tokens, log });
            sockets.add(client);
            ws.on('close', () => sockets.delete(client));
          });
        })
        .catch(() => socket.destroy());
      return true;
    },
    async close() {
      for (const client of sockets) client.close();
      server.close();
      await wal.close();
      await sql.end({ timeout: 2 });
    },
  };
}
