import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on loopback, standing in for a customer's server. Each request is recorded
 * (headers and body as received); `answer` decides, per request, to accept (204), fail (503) or
 * hang (never answer: the sender's timeout must give up). Tests script it per webhook-id and
 * attempt to make a receiver that fails half its requests, one that is dead, or one that heals.
 */
export interface ReceivedRequest {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** How many requests with this webhook-id came before this one. */
  previous: number;
  answered: 'ok' | 'fail' | 'hang';
}

export type Answer = (id: string, attempt: number) => 'ok' | 'fail' | 'hang';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Webhook-ids that were answered 2xx, with the request that succeeded. */
  delivered(): Map<string, ReceivedRequest>;
  answer: Answer;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => 'ok'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = {
    url: '',
    requests,
    answer,
    delivered: () => new Map(requests.filter((r) => r.answered === 'ok').map((r) => [r.id, r])),
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const id = String(request.headers['webhook-id'] ?? '');
    const previous = seen.get(id) ?? 0;
    seen.set(id, previous + 1);
    const answered = receiver.answer(id, previous + 1);
    requests.push({
      id,
      timestamp: String(request.headers['webhook-timestamp'] ?? ''),
      signature: String(request.headers['webhook-signature'] ?? ''),
      body: Buffer.concat(chunks).toString('utf8'),
      previous,
      answered,
    });
    if (answered === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (answered === 'fail') response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
    else response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

/** Polls `check` until it is true (every 100 ms), or throws after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
