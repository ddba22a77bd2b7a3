import { RealtimeClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

/**
 * The subscribers of `npm run bench -- --realtime`, in a process of their own so their CPU is not
 * the stack's: unmodified realtime-js clients, one socket and one channel each. Each broadcast
 * carries its sequence number and when its writing statement started (`sent`, ms since the
 * epoch with sub-millisecond precision, the same clock in both processes).
 */

export interface ConnectRequest {
  url: string;
  apiKey: string;
  /** A user's access token, for private channels. */
  token?: string;
  topics: string[];
  private: boolean;
  connections: number;
}

export type RealtimeClientMessage = { connect: ConnectRequest } | { report: true } | { close: true };

interface Subscriber {
  topic: string;
  seqs: number[];
}

const now = () => performance.timeOrigin + performance.now();
const clients: RealtimeClient[] = [];
let subscribers: Subscriber[] = [];
let latencies: number[] = [];
let lastReceived = 0;

async function connect(request: ConnectRequest): Promise<void> {
  subscribers = [];
  latencies = [];
  const joins = Array.from({ length: request.connections }, (_, i) => {
    const topic = request.topics[i % request.topics.length] as string;
    const client = new RealtimeClient(`${request.url}/realtime/v1`, {
      params: { apikey: request.apiKey },
      transport: WebSocket as never,
    });
    if (request.token) void client.setAuth(request.token);
    clients.push(client);
    const subscriber: Subscriber = { topic, seqs: [] };
    subscribers.push(subscriber);
    return new Promise<void>((resolve, reject) => {
      client
        .channel(topic, { config: { private: request.private } })
        .on('broadcast', { event: 'bench' }, (message) => {
          const received = now();
          const { seq, sent } = message.payload as { seq: number; sent: number };
          latencies.push(received - sent);
          subscriber.seqs.push(seq);
          lastReceived = received;
        })
        .subscribe((status, error) => {
          if (status === 'SUBSCRIBED') resolve();
          else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT')
            reject(new Error(`${status}: ${error?.message}`));
        });
    });
  });
  await Promise.all(joins);
}

process.on('message', (message: RealtimeClientMessage) => {
  const reply = (value: object) => process.send?.(value);
  if ('connect' in message) {
    connect(message.connect).then(
      () => reply({ ready: true }),
      (error) => reply({ error: String(error) }),
    );
  } else if ('report' in message) {
    reply({ latencies, lastReceived, subscribers });
  } else {
    Promise.all(clients.splice(0).map((client) => client.disconnect())).then(() => reply({ closed: true }));
  }
});
